// The benchmark's image: incompressible, deterministic bytes (AES-CTR keystream), made fast enough
// that a 4 GiB image takes seconds, not minutes.
import { createCipheriv } from 'node:crypto';
import { open, stat } from 'node:fs/promises';

const BLOCK_BYTES = 8 * 1024 * 1024;

/** Writes `size` bytes to `path` unless a file of exactly that size is there already (a re-run). */
export async function writeBenchImage(path: string, size: number): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === size) return;
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(BLOCK_BYTES);
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < size; written += BLOCK_BYTES) {
      const block = cipher.update(zeros.subarray(0, Math.min(BLOCK_BYTES, size - written)));
      await file.write(block, 0, block.length, written);
    }
    // Written back now, not during the first round: dirty-page writeback would throttle whoever runs then.
    await file.sync();
  } finally {
    await file.close();
  }
}
