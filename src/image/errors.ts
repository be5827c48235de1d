// The image layer's own failure that is not about the `image-path` input (that is ImagePathError).

/**
 * The file changed between the first read and completion: fstat (size, mtime, ctime, inode) or the path
 * now naming another file, or a re-read for a send or re-send that differs from the hash pass. The bytes
 * sent may match neither version, so the upload is never completed, and never retried: a re-run is the fix.
 */
export class ImageChangedError extends Error {
  override name = 'ImageChangedError';
  constructor(
    readonly path: string,
    /** What differed, e.g. 'size 100 -> 50 bytes' or 'chunk 3 re-read differs from its hash pass'. */
    readonly detail: string,
  ) {
    super(`\`${path}\` changed while it was being uploaded (${detail})`);
  }
}
