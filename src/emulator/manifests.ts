// Firmware manifests: the contract's size limits, and recognition of the image a manifest delivers, found
// the way manifest-tool writes it: the image's datafile/short_datafile URL as text, or its SHA-256 as raw
// bytes (the encrypted payload's, for an encrypted image).
import type { FirmwareManifest } from '../api/release.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../api/types.js';
import { MAX_MANIFEST_FILE_NAME, MAX_MANIFEST_SIZE } from '../api/release.js';
import { ApiError, validationError, found } from './errors.js';
import { newId, timestamp } from './ids.js';

/** An image as a manifest can refer to it. */
export interface DeliverableImage {
  id: string;
  urls: string[];
  /** Digests (hex) a manifest may carry for it: the plain SHA-256, and the encrypted payload's. */
  digests: { sha256Hex: string; size: number }[];
  /** What the device runs once it installed the payload. */
  sha256Hex: string;
}

export interface ManifestRecord {
  id: string;
  name: string;
  description: string;
  size: number;
  /** The file as uploaded: what its `datafile` URL serves. */
  data: Buffer;
  /** The image the manifest delivers, when one of the account's images was recognised in it. */
  delivered?: { imageId: string; url: string; digest: string; size: number; sha256Hex: string };
  createdAt: string;
  updatedAt: string;
}

export class ManifestStore {
  private readonly manifests = new Map<string, ManifestRecord>();

  create(
    fields: { name?: string; description?: string; fileName: string; data: Buffer },
    images: readonly DeliverableImage[],
  ): ManifestRecord {
    const { data, fileName } = fields;
    if (data.length === 0) throw validationError('datafile', 'is empty: send the manifest file');
    if (data.length > MAX_MANIFEST_SIZE) {
      throw new ApiError(
        400,
        `Validation error: the manifest is ${data.length} bytes; the service accepts at most ${MAX_MANIFEST_SIZE} bytes (2 KB)`,
        [{ name: 'datafile', message: `must be at most ${MAX_MANIFEST_SIZE} bytes` }],
      );
    }
    if (fileName.length > MAX_MANIFEST_FILE_NAME) {
      throw validationError('datafile', `file name must be at most ${MAX_MANIFEST_FILE_NAME} characters`);
    }
    const name = fields.name ?? '';
    const description = fields.description ?? '';
    if (name.length > MAX_NAME_LENGTH)
      throw validationError('name', `must be at most ${MAX_NAME_LENGTH} characters`);
    if (description.length > MAX_DESCRIPTION_LENGTH) {
      throw validationError('description', `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
    }
    const now = timestamp();
    const manifest: ManifestRecord = {
      id: newId(),
      name,
      description,
      size: data.length,
      data: Buffer.from(data),
      delivered: recognise(data, images),
      createdAt: now,
      updatedAt: now,
    };
    this.manifests.set(manifest.id, manifest);
    return manifest;
  }

  manifest(id: string): ManifestRecord {
    return found(this.manifests.get(id), 'Firmware manifest', id);
  }

  has(id: string): boolean {
    return this.manifests.has(id);
  }

  all(): ManifestRecord[] {
    return [...this.manifests.values()];
  }

  delete(id: string): void {
    this.manifest(id);
    this.manifests.delete(id);
  }
}

function recognise(data: Buffer, images: readonly DeliverableImage[]): ManifestRecord['delivered'] {
  for (const image of images) {
    const url = image.urls.find((u) => data.includes(Buffer.from(u)));
    const digest = image.digests.find((d) => data.includes(Buffer.from(d.sha256Hex, 'hex')));
    if (url === undefined && digest === undefined) continue;
    const chosen = digest ?? image.digests[0]!;
    return {
      imageId: image.id,
      url: url ?? image.urls[0]!,
      digest: chosen.sha256Hex,
      size: chosen.size,
      sha256Hex: image.sha256Hex,
    };
  }
  return undefined;
}

/** Where a manifest's file is downloaded from, beside the images' files (no auth). */
export const manifestDatafilePath = (manifestId: string) =>
  `/firmware-catalog-media/manifests/${manifestId}.manifest`;

export function manifestView(manifest: ManifestRecord, baseUrl: string): FirmwareManifest {
  const { delivered } = manifest;
  return {
    object: 'firmware-manifest',
    id: manifest.id,
    name: manifest.name,
    description: manifest.description,
    datafile: baseUrl + manifestDatafilePath(manifest.id),
    datafile_size: manifest.size,
    ...(delivered && {
      delivered_payload_url: delivered.url,
      delivered_payload_digest: delivered.digest,
      delivered_payload_size: delivered.size,
    }),
    created_at: manifest.createdAt,
    updated_at: manifest.updatedAt,
    etag: manifest.updatedAt,
  };
}
