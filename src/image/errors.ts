// The image layer's own failure that is not about the `image-path` input (that is ImagePathError).

/**
 * The file changed between the first read and completion (size, mtime, ctime, inode, or the path now
 * naming another file): the bytes sent may match neither version, so the upload must not be completed.
 */
export class ImageChangedError extends Error {
  override name = 'ImageChangedError';
  constructor(
    readonly path: string,
    /** What differed, e.g. 'size 100 -> 50 bytes'. */
    readonly detail: string,
  ) {
    super(`\`${path}\` changed while it was being uploaded (${detail})`);
  }
}
