import { openImage, type ImageSource } from './source.js';

export interface ImageHashes {
  size: number;
  sha256Hex: string;
  /** Per chunk, in order: its raw MD5 and length. */
  chunks: { md5: Buffer; length: number }[];
}

/** The hashes of a whole image, from the same read pass the upload uses (dry run, reuse and resume checks). */
export async function hashImage(path: string, chunkSize: number): Promise<ImageHashes> {
  const source = await openImage(path, chunkSize);
  try {
    return await hashSource(source);
  } finally {
    await source.close();
  }
}

/**
 * hashImage() over an already open source, so a caller that checks first and uploads next can use
 * one source (one descriptor) for both passes.
 */
export async function hashSource(source: ImageSource): Promise<ImageHashes> {
  const chunks: ImageHashes['chunks'] = [];
  for await (const chunk of source.read()) {
    chunks.push({ md5: chunk.md5, length: chunk.length });
  }
  return { size: source.size, sha256Hex: source.sha256Hex(), chunks };
}
