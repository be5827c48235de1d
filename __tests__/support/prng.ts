// A seeded PRNG (mulberry32): the chaos plans and test images replay exactly from their seed.

export type Random = () => number;

/** Uniform in [0, 1), the same sequence for the same seed. */
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

/** Deterministic bytes for an image of `size` bytes. */
export function seededBytes(size: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) {
    const word = Math.floor(random() * 4294967296);
    if (i + 4 <= size) data.writeUInt32LE(word, i);
    else for (let j = i; j < size; j++) data[j] = (word >>> ((j - i) * 8)) & 0xff;
  }
  return data;
}
