// runCampaign() over real HTTP against the emulator, on a fake clock the emulator shares: the happy path,
// each gate, each failure state, timeout, cancel, start: false, and starting that takes a while.
import { afterEach, describe, expect, it } from '@jest/globals';
import { stat } from 'node:fs/promises';
import { CampaignFailure } from '../../src/campaign/index.js';
import {
  DEVICE_CLASS,
  FILTER,
  VENDOR_ID,
  failureOf,
  startRolloutRig,
  type RolloutRig,
} from '../support/rollout.js';

let rig: RolloutRig;
afterEach(async () => {
  await rig.close();
});

/** The operations that change something on the service, and how often each was called. */
function changes(r: RolloutRig) {
  const ops = [
    'create-manifest',
    'create-campaign',
    'start-campaign',
    'stop-campaign',
    'delete-campaign',
    'delete-manifest',
  ] as const;
  return Object.fromEntries(ops.map((op) => [op, r.emulator.callCount(op)]));
}

describe('a rollout that succeeds', () => {
  it('uploads the manifest, creates and starts the campaign, waits for every device', async () => {
    rig = await startRolloutRig();
    const call = rig.run();
    const result = await call;
    const [manifest] = rig.emulator.state.manifests();
    const [campaign] = rig.emulator.state.campaigns();
    expect(result).toMatchObject({
      outcome: 'created',
      manifestId: manifest!.id,
      campaignId: campaign!.id,
      phase: 'autostopped',
      counts: { total: 3, succeeded: 3, failed: 0, pending: 0 },
      failedDevices: [],
      waited: true,
    });
    expect(result.conclusion).toBe('rollout done: 3 of 3 devices updated (100%)');
    expect(manifest!.delivered_payload_url).toBe(rig.image.datafile);
    expect(campaign).toMatchObject({ device_filter: FILTER, root_manifest_id: manifest!.id });
    // The devices now run the published image.
    expect(rig.emulator.state.devices().map((d) => d.firmware_checksum)).toEqual(
      Array(3).fill(rig.imageSha256),
    );
    // Progress lines had something to say while it ran.
    const progress = call.run.events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ counts: { succeeded: 3 } });
    expect(changes(rig)).toMatchObject({
      'create-manifest': 1,
      'create-campaign': 1,
      'start-campaign': 1,
      'stop-campaign': 0,
    });
  });

  it('counts starting as done only once the phase leaves starting', async () => {
    rig = await startRolloutRig({ campaignTiming: { startingMs: 60_000 } });
    const result = await rig.run({ wait: false });
    expect(result.phase).toBe('active');
    expect(result.conclusion).toMatch(/^started \(phase active\); not waiting/);
    expect(rig.clock.now()).toBeGreaterThanOrEqual(60_000);
    expect(rig.emulator.callCount('get-campaign')).toBeGreaterThan(2);
  });

  it('with start: false, leaves a draft and sends no start', async () => {
    rig = await startRolloutRig();
    const result = await rig.run({ start: false });
    expect(result).toMatchObject({ outcome: 'created', phase: 'draft', counts: { total: 3, pending: 3 } });
    expect(changes(rig)['start-campaign']).toBe(0);
    expect(rig.emulator.state.campaigns()[0]!.phase).toBe('draft');
  });
});

describe('gates', () => {
  async function withFailures(failing: number, total = 4) {
    rig = await startRolloutRig({
      devices: [{ count: total, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID }],
    });
    const devices = rig.emulator.state.devices();
    for (const device of devices.slice(0, failing)) {
      rig.emulator.state.scriptDevice(device.id, {
        outcome: 'fail',
        afterMs: 3000,
        reason: `flash write error on ${device.name}`,
      });
    }
    return devices;
  }

  it('min-success-percent: below it fails, naming the counts, with every failed device and its reason', async () => {
    const devices = await withFailures(1);
    const error = await failureOf(rig.run({ minSuccessPercent: 100 }));
    expect(error).toBeInstanceOf(CampaignFailure);
    const failure = error as unknown as CampaignFailure;
    expect(failure.kind).toBe('gate');
    expect(failure.message).toMatch(/^3 of 4 devices updated \(75%\), below the 100% required/);
    expect(failure.result.failedDevices).toEqual([
      { device_id: devices[0]!.id, reason: `flash write error on ${devices[0]!.name}` },
    ]);
    expect(failure.result.failureEvents).toEqual([
      { description: `flash write error on ${devices[0]!.name}`, count: 1 },
    ]);
    expect(failure.result.counts).toEqual({ total: 4, succeeded: 3, failed: 1, pending: 0 });
    // With a failed device the campaign never reaches 100% and stays active: the step does not hang on it.
    expect(failure.result.phase).toBe('active');
    expect(rig.emulator.callCount('stop-campaign')).toBe(0);
  });

  it('min-success-percent: at or above it passes', async () => {
    await withFailures(1);
    const result = await rig.run({ minSuccessPercent: 75 });
    expect(result.counts).toEqual({ total: 4, succeeded: 3, failed: 1, pending: 0 });
    expect(result.failedDevices).toHaveLength(1);
  });

  it('max-failed-devices: exceeded, the campaign is stopped and the step fails at once', async () => {
    rig = await startRolloutRig({ devices: [{ count: 5, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID }] });
    const devices = rig.emulator.state.devices();
    rig.emulator.state.scriptDevice(devices[0]!.id, { outcome: 'fail', afterMs: 1000, reason: 'boot loop' });
    rig.emulator.state.scriptDevice(devices[1]!.id, {
      outcome: 'fail',
      afterMs: 1000,
      reason: 'signature rejected',
    });
    for (const device of devices.slice(2))
      rig.emulator.state.scriptDevice(device.id, { outcome: 'deploy', afterMs: 3_600_000 });
    const call = rig.run({ maxFailedDevices: 1 });
    const failure = (await failureOf(call)) as unknown as CampaignFailure;
    expect(failure.kind).toBe('max-failed');
    expect(failure.message).toMatch(
      /^2 devices failed, more than the 1 allowed: update campaign [0-9a-f]{32} was stopped/,
    );
    expect(rig.emulator.callCount('stop-campaign')).toBe(1);
    expect(['stopping', 'stopped']).toContain(rig.emulator.state.campaigns()[0]!.phase);
    expect(failure.result.failedDevices.map((d) => d.reason).sort()).toEqual([
      'boot loop',
      'signature rejected',
    ]);
    expect(call.run.events).toContainEqual(expect.objectContaining({ type: 'stopping' }));
    // At once: long before the other devices' hour.
    expect(rig.clock.now()).toBeLessThan(3_600_000);
  });

  it('reads failed devices through every page of the device metadata', async () => {
    rig = await startRolloutRig({
      devices: [
        {
          count: 1003,
          deviceClass: DEVICE_CLASS,
          vendorId: VENDOR_ID,
          script: { outcome: 'fail', afterMs: 0, reason: 'offline' },
        },
      ],
    });
    const failure = (await failureOf(rig.run({ minSuccessPercent: 1 }))) as unknown as CampaignFailure;
    expect(failure.kind).toBe('gate');
    expect(failure.result.failedDevices).toHaveLength(1003);
    expect(new Set(failure.result.failedDevices.map((d) => d.device_id)).size).toBe(1003);
    expect(rig.emulator.callCount('campaign-device-metadata')).toBeGreaterThanOrEqual(2);
  });
});

describe('failure states', () => {
  it('zero matching devices: fails before anything is created, naming the filter', async () => {
    rig = await startRolloutRig();
    const failure = (await failureOf(
      rig.run({ deviceFilter: 'device_class__eq=nothing-like-this' }),
    )) as unknown as CampaignFailure;
    expect(failure.kind).toBe('precondition');
    expect(failure.message).toBe(
      'the device filter `device_class__eq=nothing-like-this` matches no devices; nothing was created',
    );
    expect(failure.hint).toMatch(/`device-filter`/);
    expect(changes(rig)).toEqual({
      'create-manifest': 0,
      'create-campaign': 0,
      'start-campaign': 0,
      'stop-campaign': 0,
      'delete-campaign': 0,
      'delete-manifest': 0,
    });
  });

  it('stopped by itself before its devices finished (manifest removed): fails with autostop_reason', async () => {
    rig = await startRolloutRig({
      devices: [{ count: 2, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID, script: { outcome: 'silent' } }],
    });
    let removed = false;
    const call = rig.run(
      {},
      {
        onEvent: (event) => {
          if (event.type !== 'progress' || removed) return;
          removed = true;
          const manifest = rig.emulator.state.manifests()[0]!;
          void fetch(`${rig.emulator.url}/v3/firmware-manifests/${manifest.id}`, {
            method: 'DELETE',
            headers: { authorization: 'Bearer ak_campaign_test_0123456789SECRET' },
          });
        },
      },
    );
    const failure = (await failureOf(call)) as unknown as CampaignFailure;
    expect(failure.kind).toBe('stopped');
    expect(failure.message).toMatch(
      /^update campaign [0-9a-f]{32} ended in phase autostopped with 2 of 2 devices not updated: The campaign manifest was removed\.$/,
    );
    expect(failure.result.autostopReason).toBe('The campaign manifest was removed.');
    expect(failure.result.failedDevices.map((d) => d.reason)).toEqual(
      Array(2).fill('the manifest was removed before the device updated'),
    );
  });

  it('stopped while starting (quota), phase spelled auto_stopped: fails with autostop_reason, wait or not', async () => {
    rig = await startRolloutRig({
      campaignDeviceQuota: 2,
      campaignTiming: { autostoppedSpelling: 'auto_stopped' },
    });
    const failure = (await failureOf(rig.run({ wait: false }))) as unknown as CampaignFailure;
    expect(rig.emulator.state.campaigns()[0]!.phase).toBe('auto_stopped');
    expect(failure.kind).toBe('stopped');
    expect(failure.message).toMatch(
      /ended in phase autostopped with 3 of 3 devices not updated: Insufficient billing credit\.$/,
    );
    expect(failure.result.phase).toBe('autostopped');
  });

  it('timeout: gives up waiting, leaves the campaign running, and says so', async () => {
    rig = await startRolloutRig({
      devices: [{ count: 2, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID, script: { outcome: 'silent' } }],
    });
    const failure = (await failureOf(
      rig.run({ timeoutMs: 5 * 60_000, pollIntervalMs: 30_000 }),
    )) as unknown as CampaignFailure;
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toMatch(
      /^gave up waiting after the timeout of 5 min: update campaign [0-9a-f]{32} is active, 2 devices pending\. It was left running: it was NOT stopped/,
    );
    expect(rig.emulator.callCount('stop-campaign')).toBe(0);
    expect(rig.emulator.state.campaigns()[0]!.phase).toBe('active');
    expect(failure.result.counts).toEqual({ total: 2, succeeded: 0, failed: 0, pending: 2 });
    expect(rig.clock.now()).toBe(5 * 60_000);
  });

  it('cancel: stops the waiting, not the campaign, and says so', async () => {
    rig = await startRolloutRig({
      devices: [{ count: 2, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID, script: { outcome: 'silent' } }],
    });
    const controller = new AbortController();
    let polls = 0;
    const call = rig.run(
      {},
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'progress' && ++polls === 2) controller.abort(new Error('cancelled by SIGINT'));
        },
      },
    );
    const failure = (await failureOf(call)) as unknown as CampaignFailure;
    expect(failure.kind).toBe('cancelled');
    expect(failure.message).toMatch(
      /^cancelled: stopped waiting; update campaign [0-9a-f]{32} was left in phase active; it was NOT stopped and keeps running$/,
    );
    expect(rig.emulator.callCount('stop-campaign')).toBe(0);
    expect(rig.emulator.state.campaigns()[0]!.phase).toBe('active');
  });

  it.each([
    ['of another size', () => Buffer.from('another release')],
    ['of the same size', (size: number) => Buffer.alloc(size, 0x5a)],
  ])('a manifest name held by a different manifest %s: fails before creating anything', async (_, bytes) => {
    rig = await startRolloutRig();
    const { size } = await stat(rig.manifestPath);
    const other = await rig.writeManifest(bytes(size), 'other.manifest');
    await rig.run({ manifestPath: other, start: false });
    const before = changes(rig);
    const failure = (await failureOf(rig.run())) as unknown as CampaignFailure;
    expect(failure.kind).toBe('precondition');
    expect(failure.message).toMatch(/^a firmware manifest named "update\.manifest@v1\.0\.0" already exists/);
    expect(changes(rig)).toEqual(before);
  });
});
