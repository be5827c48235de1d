/**
 * The image file changed between the pass that hashed it and the pass that sends it (or during a
 * re-send). Never retried: the bytes whose hashes were planned are gone, so a re-run is the only fix.
 */
export class ImageChangedError extends Error {
  constructor(
    readonly path: string,
    /** What was seen, for the debug log: 'chunk 3 re-read differs from its hash pass'. */
    readonly detail: string,
  ) {
    super(`\`${path}\` changed while it was being uploaded`);
    this.name = 'ImageChangedError';
  }
}
