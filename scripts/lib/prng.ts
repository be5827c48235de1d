// The one seeded PRNG and the one deterministic byte generator of the tests and scripts: chaos plans and
// test images replay exactly from their seed, and the benchmark writes gigabytes of the same kind of
// bytes in seconds. scripts/ and __tests__/ both import this; scripts never import __tests__/.
import { createCipheriv, type Cipher } from 'node:crypto';
import { open, stat } from 'node:fs/promises';

export type Random = () => number;

/** Uniform in [0, 1), the same sequence for the same seed (mulberry32). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** An AES-CTR keystream keyed by the seed: incompressible bytes, the same for the same seed. */
function keystream(seed: number): Cipher {
  const key = Buffer.alloc(16);
  key.writeUInt32LE(seed >>> 0, 0);
  key.writeUInt32LE(Math.floor(seed / 4294967296) >>> 0, 4);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16, 0));
}

/** Deterministic, incompressible bytes for an image of `size` bytes. */
export function seededBytes(size: number, seed: number): Buffer {
  return keystream(seed).update(Buffer.alloc(size));
}

const FILE_BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * Writes the `size` bytes of seededBytes(size, seed) to `path` a block at a time (a 4 GiB image takes
 * seconds and little memory), unless a file of exactly that size is there already (a re-run).
 */
export async function writeSeededFile(path: string, size: number, seed: number): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.size === size) return;
  const cipher = keystream(seed);
  const zeros = Buffer.alloc(FILE_BLOCK_BYTES);
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < size; written += FILE_BLOCK_BYTES) {
      const block = cipher.update(zeros.subarray(0, Math.min(FILE_BLOCK_BYTES, size - written)));
      await file.write(block, 0, block.length, written);
    }
    // Written back now, not during the first round: dirty-page writeback would throttle whoever runs then.
    await file.sync();
  } finally {
    await file.close();
  }
}
