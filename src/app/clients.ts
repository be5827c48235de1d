// The service clients the settings describe: the one place that turns settings into a client.
import type { Dispatcher } from 'undici';
import { DeviceManagementClient, UpdateServiceClient, userAgent } from '../client/index.js';
import type { Logger } from '../common/logger.js';

/** What every client needs from the settings of either step. */
export interface ClientSettings {
  apiKey: string;
  apiHost: URL;
  requestTimeoutMs: number;
}

export interface ClientDeps {
  dispatcher: Dispatcher;
  /** Aborting it ends the request in flight: the run's signal. */
  signal?: AbortSignal;
  logger: Logger;
}

function clientOptions(settings: ClientSettings, deps: ClientDeps) {
  return {
    baseUrl: settings.apiHost,
    apiKey: settings.apiKey,
    dispatcher: deps.dispatcher,
    userAgent: userAgent(),
    requestTimeoutMs: settings.requestTimeoutMs,
    signal: deps.signal,
    logger: deps.logger,
  };
}

/** The firmware-image client of the publish step. */
export function updateServiceClient(settings: ClientSettings, deps: ClientDeps): UpdateServiceClient {
  return new UpdateServiceClient(clientOptions(settings, deps));
}

/** The client of the campaign step (manifests, campaigns, devices). */
export function deviceManagementClient(settings: ClientSettings, deps: ClientDeps): DeviceManagementClient {
  return new DeviceManagementClient(clientOptions(settings, deps));
}
