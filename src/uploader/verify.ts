// After completion: the service's firmware image must be byte-for-byte the local file, and the one the
// completed job made.
import type { FirmwareImage } from '../api/types.js';
import { hasEncryptedPayload, imageMatches } from './decide.js';
import { EncryptionError, UploadStateError, VerificationError } from './errors.js';
import { readCompletedJob } from './job.js';
import type { UploadSession } from './session.js';

/**
 * The image the completed job made. A name belongs to one job or image per account, so the one image
 * under the job's name is it: one list instead of get-job then get-image. While the list does not show it
 * (a service that records the image late), the job's firmware_image_id, read back with waits.
 */
export async function completedImage(
  session: UploadSession,
  jobId: string,
  name: string,
): Promise<FirmwareImage> {
  const listed = (
    await session.repeatable('list firmware images', () =>
      session.client.allFirmwareImages({ name__eq: name }),
    )
  ).filter((image) => image.name === name);
  if (listed.length === 1) return listed[0]!;
  const { firmware_image_id: imageId } = await readCompletedJob(session, jobId);
  const image = await session.repeatable(`get firmware image ${imageId}`, () =>
    session.client.getFirmwareImage(imageId),
  );
  if (image.id !== imageId) {
    throw new UploadStateError(
      `get firmware image ${imageId}: the service answered with image ${image.id}, not the one the ` +
        'completed upload job names; do not use either before checking them in the portal',
    );
  }
  return image;
}

export function verifyImage(
  session: UploadSession,
  image: FirmwareImage,
  local: { size: number; sha256Hex: string },
  /** The description the image must carry (the user's), when this run completed the job. */
  description?: string,
): FirmwareImage {
  if (!imageMatches(image, local)) {
    throw new VerificationError(
      image.id,
      { size: local.size, checksum: local.sha256Hex },
      { size: image.datafile_size, checksum: image.datafile_checksum },
    );
  }
  if (description !== undefined && image.description !== description) {
    throw new UploadStateError(
      `firmware image ${image.id} matches the file but does not carry the description this run set on its ` +
        'upload job; check it in the portal',
    );
  }
  session.logger.info(
    `verified firmware image ${image.id}: ${image.datafile_size} bytes, SHA-256 ${image.datafile_checksum}`,
  );
  session.emit({
    type: 'verified',
    firmwareImageId: image.id,
    datafileSize: image.datafile_size,
    datafileChecksum: image.datafile_checksum,
  });
  return image;
}

/** encrypt-payload asked the service to encrypt: an image without an encrypted payload is a failure. */
export function verifyEncrypted(image: FirmwareImage): void {
  if (!hasEncryptedPayload(image)) throw new EncryptionError(image.id);
}
