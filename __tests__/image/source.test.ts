import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hashImage,
  hashSource,
  ImageChangedError,
  openImage,
  type PreparedChunk,
} from '../../src/image/index.js';

// Small chunks keep the suite fast; the 5 MiB minimum is the inputs layer's rule.
const CHUNK = 64 * 1024;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-source-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function imageOf(size: number): Promise<string> {
  const path = join(dir, `image-${size}.bin`);
  await writeFile(path, randomBytes(size));
  return path;
}

/** The straightforward way: whole file in memory, crypto over slices. */
function reference(path: string, chunkSize: number) {
  const bytes = readFileSync(path);
  const chunks = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    const data = bytes.subarray(offset, offset + chunkSize);
    chunks.push({ data: Buffer.from(data), md5: createHash('md5').update(data).digest() });
  }
  return { sha256Hex: createHash('sha256').update(bytes).digest('hex'), chunks };
}

describe('openImage', () => {
  it.each([1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])(
    'yields the same bytes and hashes as a plain read for %d bytes',
    async (size) => {
      const path = await imageOf(size);
      const expected = reference(path, CHUNK);
      const source = await openImage(path, CHUNK);
      try {
        expect(source.size).toBe(size);
        let count = 0;
        for await (const chunk of source.read()) {
          const want = expected.chunks[count++]!;
          expect(chunk.index).toBe(count);
          expect(chunk.offset).toBe((count - 1) * CHUNK);
          expect(chunk.length).toBe(want.data.length);
          expect(chunk.data.equals(want.data)).toBe(true);
          expect(chunk.md5.equals(want.md5)).toBe(true);
          expect(chunk.md5Base64).toBe(want.md5.toString('base64'));
          chunk.release();
        }
        expect(count).toBe(expected.chunks.length);
        expect(source.sha256Hex()).toBe(expected.sha256Hex);
      } finally {
        await source.close();
      }
    },
  );

  it('reuses the pooled buffers for every chunk', async () => {
    const path = await imageOf(10 * CHUNK + 5);
    const source = await openImage(path, CHUNK, { poolSize: 3 });
    const buffers = new Set<ArrayBufferLike>();
    try {
      for await (const chunk of source.read()) {
        buffers.add(chunk.data.buffer);
        chunk.release();
      }
      expect(buffers.size).toBe(3);
    } finally {
      await source.close();
    }
  });

  it('keeps a chunk intact until it is released, while the next one is read ahead', async () => {
    const path = await imageOf(4 * CHUNK);
    const expected = reference(path, CHUNK);
    const source = await openImage(path, CHUNK);
    try {
      let previous: PreparedChunk | undefined;
      for await (const chunk of source.read()) {
        // The caller may still re-send the previous chunk (a retry) until it releases it.
        if (previous) {
          expect(previous.data.equals(expected.chunks[previous.index - 1]!.data)).toBe(true);
          previous.release();
          previous.release(); // idempotent: must not free the buffer twice
        }
        previous = chunk;
      }
      previous?.release();
      expect(source.sha256Hex()).toBe(expected.sha256Hex);
    } finally {
      await source.close();
    }
  });

  it('refuses to wait forever when every buffer is held', async () => {
    const path = await imageOf(4 * CHUNK);
    const source = await openImage(path, CHUNK, { poolSize: 2 });
    const held: PreparedChunk[] = [];
    try {
      await expect(
        (async () => {
          for await (const chunk of source.read()) held.push(chunk);
        })(),
      ).rejects.toThrow(/call release\(\)/);
      expect(held.map((c) => c.index)).toEqual([1, 2]);
    } finally {
      await source.close();
    }
  });

  it('starts a fresh pass on read() again and recomputes the SHA-256', async () => {
    const path = await imageOf(3 * CHUNK + 1);
    const expected = reference(path, CHUNK);
    const source = await openImage(path, CHUNK);
    try {
      for await (const chunk of source.read()) {
        chunk.release();
        if (chunk.index === 2) break;
      }
      expect(() => source.sha256Hex()).toThrow(/after a read pass over every chunk/);
      const indexes: number[] = [];
      for await (const chunk of source.read()) {
        expect(chunk.md5.equals(expected.chunks[chunk.index - 1]!.md5)).toBe(true);
        indexes.push(chunk.index);
        chunk.release();
      }
      expect(indexes).toEqual([1, 2, 3, 4]);
      expect(source.sha256Hex()).toBe(expected.sha256Hex);
      // A second complete pass gives the same digest, not a digest of the image twice.
      await hashSource(source);
      expect(source.sha256Hex()).toBe(expected.sha256Hex);
    } finally {
      await source.close();
    }
  });

  it('resumes from a later chunk without claiming a SHA-256', async () => {
    const path = await imageOf(3 * CHUNK);
    const expected = reference(path, CHUNK);
    const source = await openImage(path, CHUNK);
    try {
      const indexes: number[] = [];
      for await (const chunk of source.read(2)) {
        expect(chunk.data.equals(expected.chunks[chunk.index - 1]!.data)).toBe(true);
        indexes.push(chunk.index);
        chunk.release();
      }
      expect(indexes).toEqual([2, 3]);
      expect(() => source.sha256Hex()).toThrow();
      await expect(source.read(5)[Symbol.asyncIterator]().next()).rejects.toThrow(RangeError);
    } finally {
      await source.close();
    }
  });

  it('closes cleanly after the caller leaves a pass midway without releasing', async () => {
    const path = await imageOf(5 * CHUNK);
    const source = await openImage(path, CHUNK);
    for await (const chunk of source.read()) {
      if (chunk.index === 1) break;
    }
    await source.close();
    await source.close(); // idempotent
    await expect(source.read()[Symbol.asyncIterator]().next()).rejects.toThrow(/closed/);
  });

  it('checkUnchanged: a same-size rewrite, or the path moved to another file, is a change', async () => {
    const path = await imageOf(2 * CHUNK);
    const source = await openImage(path, CHUNK);
    try {
      await expect(source.checkUnchanged()).resolves.toBeUndefined();
      await writeFile(path, randomBytes(2 * CHUNK));
      await expect(source.checkUnchanged()).rejects.toThrow(
        new ImageChangedError(path, 'modification time moved'),
      );
    } finally {
      await source.close();
    }
    const moved = await openImage(path, CHUNK);
    try {
      await writeFile(`${path}.new`, randomBytes(2 * CHUNK));
      await rename(`${path}.new`, path);
      // (the old file loses its name, so its ctime moves too: either check may be the one that tells)
      await expect(moved.checkUnchanged()).rejects.toThrow(/changed while it was being uploaded/);
    } finally {
      await moved.close();
    }
  });

  it('reports a file that shrank while being read', async () => {
    const path = await imageOf(3 * CHUNK);
    const source = await openImage(path, CHUNK);
    try {
      await writeFile(path, randomBytes(CHUNK));
      const reading = (async () => {
        for await (const chunk of source.read()) chunk.release();
      })();
      await expect(reading).rejects.toThrow(/changed while it was being uploaded/);
    } finally {
      await source.close();
    }
  });
});

describe('hashImage', () => {
  it('gives size, SHA-256 and per-chunk MD5s equal to a plain read', async () => {
    const path = await imageOf(2 * CHUNK + 3);
    const expected = reference(path, CHUNK);
    const hashes = await hashImage(path, CHUNK);
    expect(hashes.size).toBe(2 * CHUNK + 3);
    expect(hashes.sha256Hex).toBe(expected.sha256Hex);
    expect(hashes.chunks.map((c) => c.length)).toEqual([CHUNK, CHUNK, 3]);
    expect(hashes.chunks.map((c) => c.md5.toString('hex'))).toEqual(
      expected.chunks.map((c) => c.md5.toString('hex')),
    );
  });
});
