// The uploader's own failures. Service failures stay the client's ServiceError.

/** The name is taken and the on-conflict policy says not to proceed. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly conflictingName: string,
  ) {
    super(message);
  }
}

/** The service's firmware image does not match the local file after the upload. */
export class VerificationError extends Error {
  override name = 'VerificationError';
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
export class UploadStateError extends Error {
  override name = 'UploadStateError';
}

/** Cancelled (deps.signal): says where the upload stood; the job is kept so that a re-run resumes it. */
export class UploadInterruptedError extends Error {
  override name = 'UploadInterruptedError';
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
export class EncryptionError extends Error {
  override name = 'EncryptionError';
  constructor(readonly firmwareImageId: string) {
    super(
      `encryption FAILED: encrypt-payload is true, but the service stored firmware image ${firmwareImageId} ` +
        'without an encrypted payload (no datafile_encryption, encrypted_datafile_checksum or encrypted_datafile_size); ' +
        'do not build an encrypted-payload manifest from it. Check that the account supports payload encryption, ' +
        'or set encrypt-payload to false',
    );
  }
}
