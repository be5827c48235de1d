/** One chunk of the image as the service numbers it. */
export interface ChunkSpec {
  /** 1-based: equals the chunk id the service assigns in upload order. */
  index: number;
  offset: number;
  length: number;
}

/**
 * Splits an image into chunks of `chunkSize` (the last one shorter). No zero-length chunk: completing
 * the job is the uploader's step. The 5 MiB minimum is the inputs layer's rule, not enforced here.
 */
export function planChunks(imageSize: number, chunkSize: number): ChunkSpec[] {
  if (!Number.isSafeInteger(imageSize) || imageSize < 0) throw new RangeError(`bad image size ${imageSize}`);
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new RangeError(`bad chunk size ${chunkSize}`);
  const chunks: ChunkSpec[] = [];
  for (let offset = 0; offset < imageSize; offset += chunkSize) {
    chunks.push({ index: chunks.length + 1, offset, length: Math.min(chunkSize, imageSize - offset) });
  }
  return chunks;
}
