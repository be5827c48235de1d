// After completion: the service's firmware image must be byte-for-byte the local file, and the one the
// completed job names.
import type { FirmwareImage } from '../api/types.js';
import { EncryptionError, UploadStateError, VerificationError } from './errors.js';
import type { UploadSession } from './session.js';

export async function verifyImage(
  session: UploadSession,
  firmwareImageId: string,
  local: { size: number; sha256Hex: string },
  /** The description the image must carry (the user's), when this run completed the job. */
  description?: string,
): Promise<FirmwareImage> {
  const image = await session.repeatable(`get firmware image ${firmwareImageId}`, () =>
    session.client.getFirmwareImage(firmwareImageId),
  );
  if (image.id !== firmwareImageId) {
    throw new UploadStateError(
      `get firmware image ${firmwareImageId}: the service answered with image ${image.id}, not the one the ` +
        'completed upload job names; do not use either before checking them in the portal',
    );
  }
  const sameSize = image.datafile_size === local.size;
  const sameChecksum = image.datafile_checksum.toLowerCase() === local.sha256Hex.toLowerCase();
  if (!sameSize || !sameChecksum) {
    throw new VerificationError(
      firmwareImageId,
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
  if (
    image.datafile_encryption === true &&
    image.encrypted_datafile_checksum &&
    image.encrypted_datafile_size
  )
    return;
  throw new EncryptionError(image.id);
}
