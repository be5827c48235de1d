// The uploader's own failures. Service failures stay the client's ServiceError. A message that names an
// input is a Hint (HintedError): each entry point renders it in its own terms.
import { NamedError } from '../common/named-error.js';
import { alternative, hint, HintedError, type Hint } from '../common/hint.js';
import { UPLOADER_HINTS } from './hints.js';

/** The name is taken and the on-conflict policy says not to proceed. */
export class ConflictError extends HintedError {
  constructor(
    message: Hint | string,
    readonly conflictingName: string,
  ) {
    super(message);
  }
}

/** The name was taken between our look-up and our create (409): the caller looks again. */
export class NameTakenError extends NamedError {}

/** The service's firmware image does not match the local file after the upload. */
export class VerificationError extends NamedError {
  constructor(
    readonly firmwareImageId: string,
    readonly expected: { size: number; checksum: string },
    readonly actual: { size: number; checksum: string },
  ) {
    super(
      `verification FAILED: firmware image ${firmwareImageId} on the service does not match the local file ` +
        `(service: ${actual.size} bytes, SHA-256 ${actual.checksum}; local: ${expected.size} bytes, ` +
        `SHA-256 ${expected.checksum}); do not use this image`,
    );
  }
}

/** The service holds something we did not send: continuing could store a corrupt image. */
export class UploadStateError extends HintedError {}

/** Another client appended to (or took over) the job this run writes: stopped, the job never completed. */
export class AnotherWriterError extends UploadStateError {
  constructor(
    readonly jobId: string,
    detail: string,
  ) {
    super(
      hint`upload job ${jobId} has another writer: ${detail}; stopped at once, and this run will not complete the job; ${UPLOADER_HINTS.oneRunAtATime}, then run again`,
    );
  }
}

/** Cancelled (deps.signal): says where the upload stood; the job is kept so that a re-run resumes it. */
export class UploadInterruptedError extends NamedError {
  constructor(
    /** Undefined when no upload job existed yet. */
    readonly jobId: string | undefined,
    readonly chunksHeld: number,
    readonly chunkCount: number,
    options?: { cause?: unknown },
  ) {
    super(
      jobId === undefined
        ? 'upload cancelled before an upload job was created; nothing was uploaded'
        : `upload cancelled: upload job ${jobId} holds ${chunksHeld} of ${chunkCount} chunks; ` +
            'run again with the same name and file to resume it',
      options,
    );
  }
}

/** encrypt-payload was asked for, but the service stored the image unencrypted. */
export class EncryptionError extends HintedError {
  constructor(readonly firmwareImageId: string) {
    super(
      hint`encryption FAILED: ${alternative({ action: 'encrypt-payload is true', cli: '--encrypt-payload was given' })}, but the service stored firmware image ${firmwareImageId} without an encrypted payload (no datafile_encryption, encrypted_datafile_checksum or encrypted_datafile_size); do not build an encrypted-payload manifest from it. ${UPLOADER_HINTS.noEncryption}`,
    );
  }
}
