// From parsed settings to what publish() takes: one path for the action and the CLI, which differ only
// in where provenance comes from and how they report.
import { basename } from 'node:path';
import type { Dispatcher } from 'undici';
import { UpdateServiceClient, userAgent } from '../client/index.js';
import type { Logger } from '../common/logger.js';
import { locateImage } from '../image/index.js';
import { defaultDescription, defaultName, type Provenance, type Settings } from '../inputs/index.js';
import type { PublishRequest } from './types.js';

export interface PreparedPublish {
  request: PublishRequest;
  imageSize: number;
  /** Set when the default name had to be shortened: the user should choose one. */
  nameWarning?: string;
}

/** Locates the one image the pattern matches and settles its name and description. */
export async function preparePublish(settings: Settings, provenance: Provenance): Promise<PreparedPublish> {
  const image = await locateImage(settings.imagePattern);
  const named =
    settings.name === undefined ? defaultName(basename(image.path), provenance) : { name: settings.name };
  return {
    request: {
      imagePath: image.path,
      name: named.name,
      description: settings.description ?? defaultDescription(provenance),
      chunkSize: settings.chunkSize,
      onConflict: settings.onConflict,
      retries: settings.retries,
      dryRun: settings.dryRun,
      encryptPayload: settings.encryptPayload,
    },
    imageSize: image.size,
    nameWarning: named.warning,
  };
}

/** The service client the settings describe, sending through `dispatcher` and cancelled by `signal`. */
export function clientFor(
  settings: Settings,
  deps: { dispatcher: Dispatcher; signal?: AbortSignal; logger: Logger },
): UpdateServiceClient {
  return new UpdateServiceClient({
    baseUrl: settings.apiHost,
    apiKey: settings.apiKey,
    dispatcher: deps.dispatcher,
    userAgent: userAgent(),
    requestTimeoutMs: settings.requestTimeoutMs,
    signal: deps.signal,
    logger: deps.logger,
  });
}
