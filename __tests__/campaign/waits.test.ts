// What the campaign step says when it stops waiting, over real HTTP on the emulator's shared fake clock:
// a campaign the service is already stopping is no start, and a timeout or a cancel lists the devices
// that failed so far (failed_devices matches devices_failed), even when that read itself fails.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CampaignFailure } from '../../src/campaign/index.js';
import type { DeviceScript } from '../../src/emulator/index.js';
import { DEVICE_CLASS, VENDOR_ID, failureOf, startRolloutRig, type RolloutRig } from '../support/rollout.js';

let rig: RolloutRig;
afterEach(async () => {
  await rig.close();
});

const devices = (count: number, script: DeviceScript) => ({
  count,
  deviceClass: DEVICE_CLASS,
  vendorId: VENDOR_ID,
  script,
});

describe('a campaign the service is stopping is not a start', () => {
  it('wait: false, stopped while starting (quota): follows the stop to its end and fails with autostop_reason', async () => {
    rig = await startRolloutRig({ campaignDeviceQuota: 1, campaignTiming: { stoppingMs: 120_000 } });
    const failure = (await failureOf(rig.run({ wait: false }))) as unknown as CampaignFailure;
    expect(failure.kind).toBe('stopped');
    expect(failure.message).toMatch(
      /^update campaign [0-9a-f]{32} ended in phase autostopped with 3 of 3 devices not updated: Insufficient billing credit\.$/,
    );
    expect(failure.result).toMatchObject({
      phase: 'autostopped',
      autostopReason: 'Insufficient billing credit.',
    });
    expect(rig.clock.now()).toBeGreaterThanOrEqual(120_000);
  });

  it('a stop that outlasts the timeout: fails, saying the service is stopping it, not that it runs on', async () => {
    rig = await startRolloutRig({ campaignDeviceQuota: 1, campaignTiming: { stoppingMs: 60 * 60_000 } });
    const failure = (await failureOf(
      rig.run({ wait: false, timeoutMs: 5 * 60_000, pollIntervalMs: 30_000 }),
    )) as unknown as CampaignFailure;
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toMatch(
      /^gave up waiting after the timeout of 5 min: update campaign [0-9a-f]{32} is still stopping\. It was not left running: the service is stopping it$/,
    );
    expect(failure.result.phase).toBe('stopping');
    expect(rig.emulator.callCount('stop-campaign')).toBe(0);
  });

  it('wait: false, stopping after every device updated: passes once it has ended', async () => {
    rig = await startRolloutRig({
      devices: [devices(2, { outcome: 'deploy', afterMs: 0 })],
      campaignTiming: { startingMs: 0, stoppingMs: 60_000 },
    });
    const result = await rig.run({ wait: false });
    expect(result.phase).toBe('autostopped');
    expect(result.conclusion).toBe('started (phase autostopped); not waiting for the rollout (wait: false)');
    expect(result.counts).toEqual({ total: 2, succeeded: 2, failed: 0, pending: 0 });
  });
});

describe('failed_devices when the step gives up', () => {
  const failingAndSilent = () => [
    devices(1, { outcome: 'fail', afterMs: 0, reason: 'flash write failed' }),
    devices(2, { outcome: 'silent' }),
  ];

  it('timeout: lists the failed devices with their reasons', async () => {
    rig = await startRolloutRig({ devices: failingAndSilent() });
    const failure = (await failureOf(
      rig.run({ timeoutMs: 5 * 60_000, pollIntervalMs: 30_000, minSuccessPercent: 0 }),
    )) as unknown as CampaignFailure;
    expect(failure.kind).toBe('timeout');
    expect(failure.result.counts).toEqual({ total: 3, succeeded: 0, failed: 1, pending: 2 });
    const failed = rig.emulator.state.devices()[0]!;
    expect(failure.result.failedDevices).toEqual([{ device_id: failed.id, reason: 'flash write failed' }]);
    expect(failure.result.failureEvents).toEqual([{ description: 'flash write failed', count: 1 }]);
  });

  it('timeout: a failure to read them is a warning, and the failure stays the timeout', async () => {
    rig = await startRolloutRig({ devices: failingAndSilent() });
    rig.emulator.faults.add({
      operation: 'campaign-device-metadata',
      fault: { type: 'status', status: 500 },
    });
    const call = rig.run({ timeoutMs: 5 * 60_000, pollIntervalMs: 30_000 });
    const failure = (await failureOf(call)) as unknown as CampaignFailure;
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toMatch(/^gave up waiting after the timeout of 5 min/);
    expect(failure.result.failedDevices).toEqual([]);
    const warning = expect.stringMatching(
      /^could not read the failed devices of update campaign [0-9a-f]{32}: 500 Internal Server Error/,
    );
    expect(failure.result.warnings).toEqual([warning]);
    expect(call.run.logger.lines).toContainEqual(
      expect.stringMatching(/^warning: could not read the failed/),
    );
  });

  it('cancel: lists the failed devices read after the cancel, through a request of its own', async () => {
    rig = await startRolloutRig({ devices: failingAndSilent() });
    const controller = new AbortController();
    let polls = 0;
    const call = rig.run(
      { minSuccessPercent: 0 },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'progress' && ++polls === 2) controller.abort(new Error('cancelled by SIGINT'));
        },
      },
    );
    const failure = (await failureOf(call)) as unknown as CampaignFailure;
    expect(failure.kind).toBe('cancelled');
    expect(failure.message).toMatch(/was left in phase active; it was NOT stopped and keeps running$/);
    expect(failure.result.counts.failed).toBe(1);
    expect(failure.result.failedDevices).toEqual([
      { device_id: rig.emulator.state.devices()[0]!.id, reason: 'flash write failed' },
    ]);
    expect(failure.result.warnings).toEqual([]);
  });

  it('cancel: a read that does not answer within its bound is a warning, the failure stays the cancel', async () => {
    rig = await startRolloutRig({ devices: failingAndSilent() });
    const controller = new AbortController();
    const call = rig.run(
      {},
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type !== 'progress' || controller.signal.aborted) return;
          rig.emulator.faults.add({ operation: 'campaign-device-metadata', fault: { type: 'hang' } });
          controller.abort(new Error('cancelled by SIGINT'));
        },
      },
    );
    const failure = (await failureOf(call)) as unknown as CampaignFailure;
    expect(failure.kind).toBe('cancelled');
    expect(failure.result.failedDevices).toEqual([]);
    expect(failure.result.warnings).toEqual([
      expect.stringMatching(/^could not read the failed devices of update campaign [0-9a-f]{32}: /),
    ]);
  });
});
