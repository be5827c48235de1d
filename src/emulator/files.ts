// The store's file work: batched synchronous writes, the encrypted copy, a whole-file hash.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { ImageRecord } from './records.js';

/** Arriving pieces are gathered up to this size and written with one writev (no copy). */
export const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Synchronous on purpose: a 1 MiB write into the page cache takes well under a millisecond, and the
 * promise + thread-pool hop per write cost the emulator about 2 s of CPU per GiB on Node 24 (bench:
 * 8.2 -> 6.0 s/GiB), CPU it takes from the client it shares the machine with.
 */
export function writeAll(handle: FileHandle, buffers: Buffer[], position: number): void {
  let pending = buffers;
  while (pending.length > 0) {
    const bytesWritten = writevSync(handle.fd, pending, position);
    position += bytesWritten;
    pending = skipBytes(pending, bytesWritten);
  }
}

/** What is left of `buffers` after the first `count` bytes (writev may write only part). */
function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (count >= buffer.length) count -= buffer.length;
    else {
      rest.push(count > 0 ? buffer.subarray(count) : buffer);
      count = 0;
    }
  }
  return rest;
}

/**
 * The encrypted copy: AES-256-CTR under a fresh key, the IV in front (so its size differs from the
 * plain image's, as the service's does), with its SHA-256 and size for the manifest.
 */
export async function encryptFile(
  plainFile: string,
  encryptedFile: string,
): Promise<NonNullable<ImageRecord['encrypted']>> {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), iv);
  const hash = createHash('sha256').update(iv);
  let size = iv.length;
  const out = createWriteStream(encryptedFile);
  out.write(iv);
  await pipeline(
    createReadStream(plainFile),
    cipher,
    async function* (source) {
      for await (const piece of source as AsyncIterable<Buffer>) {
        hash.update(piece);
        size += piece.length;
        yield piece;
      }
    },
    out,
  );
  return { file: encryptedFile, size, sha256Hex: hash.digest('hex') };
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file, { highWaterMark: WRITE_BATCH_BYTES }))
    hash.update(piece as Buffer);
  return hash.digest('hex');
}
