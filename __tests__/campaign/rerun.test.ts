// Re-runs and lost answers: the manifest POST and the campaign POST are not idempotent, so a lost answer
// is reconciled by name before anything is re-sent, and a re-run resumes what its earlier run made.
// And the dry run, which must change nothing.
import { afterEach, describe, expect, it } from '@jest/globals';
import { CampaignFailure } from '../../src/campaign/index.js';
import type { FaultRule } from '../../src/emulator/index.js';
import { DEVICE_CLASS, VENDOR_ID, failureOf, startRolloutRig, type RolloutRig } from '../support/rollout.js';

let rig: RolloutRig;
afterEach(async () => {
  await rig.close();
});

function faultOnNext(operation: FaultRule['operation'], fault: FaultRule['fault']) {
  rig.emulator.faults.add({ operation, nth: rig.emulator.callCount(operation) + 1, fault });
}

describe('lost answers', () => {
  it.each([
    ['reset after the manifest was stored', 'create-manifest', { type: 'reset-after' }],
    ['502 after the manifest was stored', 'create-manifest', { type: 'status-after', status: 502 }],
    ['reset after the campaign was created', 'create-campaign', { type: 'reset-after' }],
    ['503 after the campaign was created', 'create-campaign', { type: 'status-after', status: 503 }],
    ['reset after the start took', 'start-campaign', { type: 'reset-after' }],
  ] as const)('%s: reconciled by name, nothing created or sent twice', async (_title, operation, fault) => {
    rig = await startRolloutRig();
    faultOnNext(operation, fault);
    const result = await rig.run();
    expect(result.outcome).toBe('created');
    expect(result.retryCount).toBe(1);
    expect(rig.emulator.state.manifests()).toHaveLength(1);
    expect(rig.emulator.state.campaigns()).toHaveLength(1);
    // The lost request arrived once; the reconciliation found its effect, so it was not sent again.
    expect(rig.emulator.callCount(operation)).toBe(1);
    expect(result.counts.succeeded).toBe(3);
  });

  it('a request that never arrived (reset before) is sent again once', async () => {
    rig = await startRolloutRig();
    faultOnNext('create-campaign', { type: 'reset-before' });
    const result = await rig.run();
    expect(rig.emulator.callCount('create-campaign')).toBe(2);
    expect(rig.emulator.state.campaigns()).toHaveLength(1);
    expect(result.campaignId).toBe(rig.emulator.state.campaigns()[0]!.id);
  });

  it('retries transient failures of the reads while waiting', async () => {
    rig = await startRolloutRig();
    rig.emulator.faults.add({
      operation: 'campaign-metrics',
      nth: [1, 2],
      fault: { type: 'status', status: 503 },
    });
    const result = await rig.run();
    expect(result.retryCount).toBe(2);
    expect(result.counts.succeeded).toBe(3);
  });
});

describe('re-runs', () => {
  it('a re-run finds its own manifest and campaign and resumes waiting (outcome resumed)', async () => {
    rig = await startRolloutRig({
      devices: [
        {
          count: 3,
          deviceClass: DEVICE_CLASS,
          vendorId: VENDOR_ID,
          script: { outcome: 'deploy', afterMs: 120_000 },
        },
      ],
    });
    // The first run gives up waiting (its job was cancelled or timed out); the campaign runs on.
    const first = (await failureOf(rig.run({ timeoutMs: 60_000 }))) as unknown as CampaignFailure;
    expect(first.kind).toBe('timeout');
    const second = await rig.run();
    expect(second).toMatchObject({
      outcome: 'resumed',
      manifestId: first.result.manifestId,
      campaignId: first.result.campaignId,
      phase: 'autostopped',
      counts: { total: 3, succeeded: 3 },
    });
    expect(rig.emulator.state.manifests()).toHaveLength(1);
    expect(rig.emulator.state.campaigns()).toHaveLength(1);
    expect(rig.emulator.callCount('create-manifest')).toBe(1);
    expect(rig.emulator.callCount('create-campaign')).toBe(1);
    expect(rig.emulator.callCount('start-campaign')).toBe(1);
  });

  it('a re-run after the rollout finished reports it again without changing anything', async () => {
    rig = await startRolloutRig();
    const first = await rig.run();
    const second = await rig.run();
    expect(second).toMatchObject({ outcome: 'resumed', campaignId: first.campaignId, phase: 'autostopped' });
    expect(second.counts).toEqual(first.counts);
    expect(rig.emulator.callCount('start-campaign')).toBe(1);
  });

  it('a re-run of a draft (start: false first) starts it', async () => {
    rig = await startRolloutRig();
    await rig.run({ start: false });
    const second = await rig.run();
    expect(second.outcome).toBe('resumed');
    expect(rig.emulator.callCount('start-campaign')).toBe(1);
    expect(rig.emulator.state.campaigns()).toHaveLength(1);
  });
});

describe('dry run', () => {
  it('counts the devices, checks the manifest and the names, says what a real run would do; changes nothing', async () => {
    rig = await startRolloutRig();
    const result = await rig.run({ dryRun: true, maxFailedDevices: 2 });
    expect(result).toMatchObject({ outcome: 'dry-run', counts: { total: 3 } });
    expect(result.manifestId).toBeUndefined();
    expect(result.plan).toEqual([
      'upload the manifest update.manifest (' +
        result.plan![0]!.match(/\((\d+) bytes\)/)![1] +
        ' bytes) as "update.manifest@v1.0.0"',
      'create update campaign "update.manifest@v1.0.0" for the 3 devices of `device_class__eq=widget-class&vendor_id__eq=acme-vendor`',
      'start it and wait until its phase leaves draft/starting',
      'wait up to 60 min for the rollout, gated on min-success-percent 100 and max-failed-devices 2',
    ]);
    const changing = [
      'create-manifest',
      'delete-manifest',
      'create-campaign',
      'delete-campaign',
      'start-campaign',
      'stop-campaign',
      'create-image',
      'create-job',
    ] as const;
    expect(changing.map((op) => rig.emulator.callCount(op))).toEqual(changing.map(() => 0));
    expect(rig.emulator.state.manifests()).toEqual([]);
    expect(rig.emulator.state.campaigns()).toEqual([]);
  });

  it('after a real run, finds its manifest and campaign', async () => {
    rig = await startRolloutRig();
    const real = await rig.run({ start: false });
    const result = await rig.run({ dryRun: true });
    expect(result).toMatchObject({
      outcome: 'dry-run',
      manifestId: real.manifestId,
      campaignId: real.campaignId,
      phase: 'draft',
    });
    expect(result.plan![1]).toBe(
      `resume update campaign ${real.campaignId} ("update.manifest@v1.0.0", phase draft)`,
    );
  });

  it('fails on zero matching devices, as a real run would', async () => {
    rig = await startRolloutRig();
    const failure = (await failureOf(
      rig.run({ dryRun: true, deviceFilter: 'vendor_id__eq=nobody' }),
    )) as unknown as CampaignFailure;
    expect(failure.message).toBe(
      'dry run: a real run would fail: the device filter `vendor_id__eq=nobody` matches no devices; nothing was created',
    );
    expect(failure.result.outcome).toBe('dry-run');
  });
});

describe('the manifest file', () => {
  it.each([
    ['missing', 'nope.manifest', /cannot read '.*nope\.manifest' \(ENOENT\)/],
    ['over 2 KB', 'big', /is 2049 bytes; the service accepts manifests of at most 2048 bytes/],
    ['empty', 'empty', /is empty/],
  ])('%s: an InputError naming manifest-path, before any request', async (_title, name, pattern) => {
    rig = await startRolloutRig();
    let path = `/nonexistent/${name}`;
    if (name === 'big') path = await rig.writeManifest(Buffer.alloc(2049, 7), 'big.manifest');
    if (name === 'empty') path = await rig.writeManifest(Buffer.alloc(0), 'empty.manifest');
    const error = await failureOf(rig.run({ manifestPath: path }));
    expect(error.message).toMatch(/^Input `manifest-path`: /);
    expect(error.message).toMatch(pattern);
    expect(rig.emulator.callCount('list-devices')).toBe(0);
  });
});
