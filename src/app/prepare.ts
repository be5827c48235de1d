// From parsed settings to what publish() and runCampaign() take, for every entry point: the located
// image, and the default names (stable across re-runs) and description from provenance.
import { basename, resolve } from 'node:path';
import { MAX_NAME_LENGTH } from '../api/types.js';
import { DEFAULT_POLL_INTERVAL_MS, type CampaignRequest } from '../campaign/index.js';
import { hint, theInput, type Hint } from '../common/hint.js';
import { locateImage } from '../image/index.js';
import {
  defaultDescription,
  defaultName,
  type CampaignSettings,
  type Provenance,
  type Settings,
} from '../inputs/index.js';
import type { PublishRequest } from '../uploader/index.js';

export interface PreparedPublish {
  request: PublishRequest;
  imageSize: number;
  /** Set when the default name had to be shortened: the user should choose one. */
  nameWarning?: Hint;
}

export interface PreparedCampaign {
  request: CampaignRequest;
  nameWarning?: Hint;
}

/** A default name that had to be cut: say so, naming the input that chooses one. */
function shortened(what: string, name: string, input: string): Hint {
  return hint`The default ${what} name was shortened to ${String(MAX_NAME_LENGTH)} characters: '${name}'. Set ${theInput(input)} to choose a name yourself.`;
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
      maxRetries: settings.maxRetries,
      dryRun: settings.dryRun,
      encryptPayload: settings.encryptPayload,
    },
    imageSize: image.size,
    ...(named.shortened && { nameWarning: shortened('image', named.name, 'name') }),
  };
}

/** The manifest's path and the default names (derived like the image name), and the description. */
export function prepareCampaign(settings: CampaignSettings, provenance: Provenance): PreparedCampaign {
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
      maxRetries: settings.maxRetries,
      pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
    },
    ...(named.shortened && {
      nameWarning: shortened('manifest', named.name, 'manifest-name'),
    }),
  };
}
