import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ImageChangedError,
  hashImage,
  hashSource,
  openImage,
  type ChunkBody,
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

/**
 * What one send of the body would carry, slice by slice: each slice copied before the next is asked
 * for, as the socket takes it (the body reuses its buffers), with the buffer it came in.
 */
async function slicesOf(body: ChunkBody): Promise<{ bytes: Buffer; buffer: ArrayBufferLike }[]> {
  const slices = [];
  for await (const slice of body.open()) slices.push({ bytes: Buffer.from(slice), buffer: slice.buffer });
  return slices;
}

const bytesOf = async (body: ChunkBody) => Buffer.concat((await slicesOf(body)).map((s) => s.bytes));

/** Overwrites `length` bytes at `position` in place (same size, same inode), as a build step might. */
async function overwrite(path: string, position: number, length = 1): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const old = Buffer.alloc(length);
    await file.read(old, 0, length, position);
    await file.write(
      old.map((b) => b ^ 0xff),
      0,
      length,
      position,
    );
  } finally {
    await file.close();
  }
}

/** Every slice the body yields until it throws, and what it threw. */
async function sendUntilFailure(body: ChunkBody): Promise<{ sent: number; error: unknown }> {
  let sent = 0;
  try {
    for await (const slice of body.open()) sent += slice.length;
  } catch (error) {
    return { sent, error };
  }
  return { sent, error: undefined };
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
          expect(chunk.body.length).toBe(want.data.length);
          expect((await bytesOf(chunk.body)).equals(want.data)).toBe(true);
          expect(chunk.md5.equals(want.md5)).toBe(true);
          expect(chunk.md5Base64).toBe(want.md5.toString('base64'));
        }
        expect(count).toBe(expected.chunks.length);
        expect(source.sha256Hex()).toBe(expected.sha256Hex);
      } finally {
        await source.close();
      }
    },
  );

  it('sends in 256 KiB slices from a ring of its own per open(), re-reading the file each time', async () => {
    const size = 9 * 256 * 1024 + 5;
    const path = await imageOf(size);
    const source = await openImage(path, size);
    try {
      for await (const chunk of source.read()) {
        const first = await slicesOf(chunk.body);
        const again = await slicesOf(chunk.body);
        expect(first.map((s) => s.bytes.length)).toEqual([...Array(9).fill(256 * 1024), 5]);
        const buffers = (slices: typeof first) => new Set(slices.map((s) => s.buffer));
        // Memory stays a few slices whatever the chunk size; a re-send never shares the first send's.
        expect(buffers(first).size).toBe(4);
        expect([...buffers(again)].filter((b) => buffers(first).has(b))).toEqual([]);
        expect(Buffer.concat(again.map((s) => s.bytes)).equals(readFileSync(path))).toBe(true);
      }
    } finally {
      await source.close();
    }
  });

  it('keeps the body of a hashed chunk sendable while the next chunk is hashed', async () => {
    const path = await imageOf(4 * CHUNK);
    const expected = reference(path, CHUNK);
    const source = await openImage(path, CHUNK);
    try {
      let previous: PreparedChunk | undefined;
      for await (const chunk of source.read()) {
        // A re-send of the previous chunk (a retry) after the next one was hashed.
        if (previous)
          expect((await bytesOf(previous.body)).equals(expected.chunks[previous.index - 1]!.data)).toBe(true);
        previous = chunk;
      }
      expect(source.sha256Hex()).toBe(expected.sha256Hex);
    } finally {
      await source.close();
    }
  });

  it('fails the send of a chunk once the file was written after its hash pass, before its last slice goes out', async () => {
    const path = await imageOf(3 * 256 * 1024);
    const source = await openImage(path, 256 * 1024);
    try {
      const chunks: PreparedChunk[] = [];
      for await (const chunk of source.read()) chunks.push(chunk);
      expect((await sendUntilFailure(chunks[0]!.body)).error).toBeUndefined();
      await overwrite(path, 256 * 1024 + 1000); // chunk 2, after it was hashed
      const changed = await sendUntilFailure(chunks[1]!.body);
      expect(changed.error).toBeInstanceOf(ImageChangedError);
      expect((changed.error as Error).message).toBe(
        `\`${path}\` changed while it was being uploaded (chunk 2 re-read: modification time moved)`,
      );
      expect(changed.sent).toBe(0); // one slice: held back, so the service never gets the whole chunk
      // The file changed: no chunk of it goes out whole any more, an unchanged one neither.
      expect((await sendUntilFailure(chunks[0]!.body)).error).toBeInstanceOf(ImageChangedError);
    } finally {
      await source.close();
    }
  });

  it('checkChunk: re-reads a chunk against its hash pass; a file written since is a change', async () => {
    const path = await imageOf(3 * 256 * 1024);
    const source = await openImage(path, 256 * 1024);
    try {
      const chunks: PreparedChunk[] = [];
      for await (const chunk of source.read()) chunks.push(chunk);
      await expect(source.checkChunk(chunks[1]!)).resolves.toBeUndefined();
      await overwrite(path, 256 * 1024 + 1000);
      await expect(source.checkChunk(chunks[1]!)).rejects.toThrow(ImageChangedError);
    } finally {
      await source.close();
    }
  });

  it('fails a re-send of a chunk changed after its first send', async () => {
    const size = 3 * 256 * 1024;
    const path = await imageOf(size);
    const source = await openImage(path, size);
    try {
      for await (const chunk of source.read()) {
        expect((await sendUntilFailure(chunk.body)).error).toBeUndefined();
        await overwrite(path, 0); // the first byte: the re-send reads two more slices before it can tell
        const resend = await sendUntilFailure(chunk.body);
        expect(resend.error).toBeInstanceOf(ImageChangedError);
        expect(resend.sent).toBe(size - 256 * 1024);
      }
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
        if (chunk.index === 2) break;
      }
      expect(() => source.sha256Hex()).toThrow(/after a read pass over every chunk/);
      const indexes: number[] = [];
      for await (const chunk of source.read()) {
        expect(chunk.md5.equals(expected.chunks[chunk.index - 1]!.md5)).toBe(true);
        indexes.push(chunk.index);
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
        expect((await bytesOf(chunk.body)).equals(expected.chunks[chunk.index - 1]!.data)).toBe(true);
        indexes.push(chunk.index);
      }
      expect(indexes).toEqual([2, 3]);
      expect(() => source.sha256Hex()).toThrow();
      await expect(source.read(5)[Symbol.asyncIterator]().next()).rejects.toThrow(RangeError);
    } finally {
      await source.close();
    }
  });

  it('closes cleanly after the caller leaves a pass midway', async () => {
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
        for await (const chunk of source.read()) void chunk;
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
