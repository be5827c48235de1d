// From parsed campaign settings to what runCampaign() takes, for the action and the CLI alike: the
// default names (derived like the image name, stable across re-runs) and the description.
import { basename, resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import { DeviceManagementClient, userAgent } from '../client/index.js';
import type { Logger } from '../common/logger.js';
import { defaultDescription, defaultName, type CampaignSettings, type Provenance } from '../inputs/index.js';
import type { CampaignRequest } from './types.js';

/** Between two reads of the campaign while waiting (manifest-tool polls every 3 s; a rollout takes minutes). */
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export function prepareCampaign(
  settings: CampaignSettings,
  provenance: Provenance,
  pollIntervalMs = DEFAULT_POLL_INTERVAL_MS,
): { request: CampaignRequest; nameWarning?: string } {
  const manifestPath = resolve(settings.manifestPath);
  const named =
    settings.manifestName === undefined
      ? defaultName(basename(manifestPath), provenance)
      : { name: settings.manifestName };
  return {
    request: {
      manifestPath,
      manifestName: named.name,
      campaignName: settings.campaignName ?? named.name,
      description: defaultDescription(provenance),
      deviceFilter: settings.deviceFilter,
      start: settings.start,
      wait: settings.wait,
      timeoutMs: settings.timeoutMs,
      minSuccessPercent: settings.minSuccessPercent,
      ...(settings.maxFailedDevices !== undefined && { maxFailedDevices: settings.maxFailedDevices }),
      dryRun: settings.dryRun,
      retries: settings.retries,
      pollIntervalMs,
    },
    ...(named.warning !== undefined && { nameWarning: named.warning }),
  };
}

export function campaignClientFor(
  settings: CampaignSettings,
  deps: { dispatcher: Dispatcher; signal?: AbortSignal; logger: Logger },
): DeviceManagementClient {
  return new DeviceManagementClient({
    baseUrl: settings.apiHost,
    apiKey: settings.apiKey,
    dispatcher: deps.dispatcher,
    userAgent: userAgent(),
    requestTimeoutMs: settings.requestTimeoutMs,
    signal: deps.signal,
    logger: deps.logger,
  });
}
