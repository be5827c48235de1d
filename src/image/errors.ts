// The image layer's failures: the `image-path` input names no usable file, or the file changed under the
// upload.
import { NamedError } from '../common/named-error.js';

/** Thrown for an `image-path` that names no, several, or an unusable file. */
export class ImagePathError extends NamedError {
  /** Same shape as inputs' InputError, so the entry points report both alike. */
  readonly input = 'image-path';
  constructor(problem: string) {
    super(`Input \`image-path\`: ${problem}`);
  }
}

/**
 * The file changed between the first read and completion: fstat (size, mtime, ctime, inode) or the path
 * now naming another file, or a re-read for a send or re-send that differs from the hash pass. The bytes
 * sent may match neither version, so the upload is never completed, and never retried: a re-run is the fix.
 */
export class ImageChangedError extends NamedError {
  constructor(
    readonly path: string,
    /** What differed, e.g. 'size 100 -> 50 bytes' or 'chunk 3 re-read differs from its hash pass'. */
    readonly detail: string,
  ) {
    super(`\`${path}\` changed while it was being uploaded (${detail})`);
  }
}
