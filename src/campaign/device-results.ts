// What the campaign's devices did: the counts (the gates' input) and the failed devices with their
// reasons (the failed_devices output), also for a run that gives up.
import { isDeviceFailed } from '../api/release.js';
import { ServiceError, type DeviceManagementClient } from '../client/index.js';
import type { CampaignContext } from './context.js';
import type { DeviceCounts, FailedDevice } from './types.js';

/** Device counts: /metrics once started (404 before); before that, every targeted device is pending. */
export async function readCounts(ctx: CampaignContext, id: string, started: boolean): Promise<DeviceCounts> {
  if (!started) {
    const total = ctx.result.counts.total;
    return { total, succeeded: 0, failed: 0, pending: total };
  }
  const m = await ctx.session.repeatable(`get metrics of update campaign ${id}`, () =>
    ctx.client.getCampaignMetrics(id),
  );
  const counts = {
    total: m.total_count,
    succeeded: m.success_count,
    failed: m.failed_count,
    pending: m.pending_count,
  };
  ctx.result.counts = counts;
  return counts;
}

/** How a read is sent: through the retry engine, or once through another client. */
type Read = <T>(operation: string, send: (client: DeviceManagementClient) => Promise<T>) => Promise<T>;

const retried =
  (ctx: CampaignContext): Read =>
  (operation, send) =>
    ctx.session.repeatable(operation, () => send(ctx.client));

/** Every failed device with its reason, read through every page of the device metadata. */
export async function readFailures(ctx: CampaignContext, id: string, read = retried(ctx)): Promise<void> {
  const metadata = await read(`list devices of update campaign ${id}`, (client) =>
    client.allCampaignDeviceMetadata(id),
  );
  const failed: FailedDevice[] = metadata
    .filter((d) => isDeviceFailed(d.deployment_state))
    .map((d) => ({ device_id: d.device_id, reason: d.description || d.deployment_state }));
  ctx.result.failedDevices = failed;
  if (failed.length === 0) return;
  const events = await read(`get fail event types of update campaign ${id}`, (client) =>
    client.listCampaignEventTypes(id, 'fail'),
  );
  ctx.result.failureEvents = events.data.map((e) => ({ description: e.description, count: e.count }));
}

/**
 * The failed devices of a run that gives up (timeout, cancel), so that failed_devices matches
 * devices_failed. Best effort: a failure to read them is a warning, never the run's failure. A cancelled
 * run's signal ends every request, so it reads once each through a client of its own, bounded.
 */
export async function readFailuresBeforeGivingUp(ctx: CampaignContext, id: string): Promise<void> {
  if (ctx.result.counts.failed === 0) return;
  let read = retried(ctx);
  if (ctx.signal?.aborted) {
    const client = ctx.client.withoutSignal();
    read = (_operation, send) => send(client);
  }
  try {
    await readFailures(ctx, id, read);
  } catch (error) {
    const detail = error instanceof ServiceError ? error.detail : String(error);
    ctx.session.warn(`could not read the failed devices of update campaign ${id}: ${detail}`);
  }
}
