// A file that changes while it is uploaded: the send pass re-reads every chunk from the file and checks
// fstat before its last slice, so a write after the hash pass is caught there (ImageChangedError, never
// retried); the service's Content-MD5 check is the second guard, and a refused or misstored chunk is
// re-read against the file first. Either way the service never holds a chunk with bytes other than planned.
import { describe, expect, it } from '@jest/globals';
import { crc32 } from 'node:zlib';
import { ServiceError } from '../../src/client/errors.js';
import { ImageChangedError } from '../../src/image/index.js';
import { hashMatches, md5 } from '../../src/image/md5.js';
import { CHUNK, randomImage } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';
import { xorInPlace } from '../support/file-changes.js';
import { startRewritingProxy } from '../support/rewriting-proxy.js';

const h = harnessForSuite();

/**
 * A change that keeps a CRC-32 (what the send pass checked before it checked fstat, and what any cheap
 * checksum of the re-read would miss): XOR in the CRC-32 polynomial (x^32 + …, 33 bits in zlib's bit
 * order), a multiple of the generator, so the CRC stays while the MD5 changes. The guard against a return
 * to a checksum-only re-read check.
 */
const CRC_PRESERVING_MASK = Buffer.from(
  [0, 1, 2, 3, 4].map((i) => Number(((1n | (0xedb88320n << 1n)) >> BigInt(8 * i)) & 0xffn)),
);

const isChunkPost = (r: { method: string; path: string }) => r.method === 'POST' && /\/chunks$/.test(r.path);

/** The chunks the emulator stores for the one job under `name`. */
function storedChunks(name: string) {
  const jobs = h.emulator.state.uploadJobs().filter((j) => j.name === name);
  expect(jobs).toHaveLength(1);
  return h.emulator.state.chunks(jobs[0]!.id);
}

describe('an image that changes during the upload', () => {
  it('the CRC-keeping mask keeps the CRC-32 and changes the MD5 (the premise of its row below)', () => {
    const data = randomImage(2 * CHUNK);
    const changed = Buffer.from(data);
    for (let i = 0; i < 5; i++) changed[CHUNK + 4096 + i]! ^= CRC_PRESERVING_MASK[i]!;
    expect(crc32(changed.subarray(CHUNK))).toBe(crc32(data.subarray(CHUNK)));
    expect(md5(changed.subarray(CHUNK)).equals(md5(data.subarray(CHUNK)))).toBe(false);
  });

  // Chunk 2 was hashed while chunk 1 was on the wire; it is changed as its send begins.
  it.each([
    {
      change: 'one bit flipped',
      name: 'changed-after-hash',
      size: 3 * CHUNK,
      position: CHUNK + 12345,
      mask: Buffer.from([1]),
    },
    {
      change: 'a change that keeps the CRC-32 (the send checks fstat, not a checksum)',
      name: 'crc-kept-md5-changed',
      size: 2 * CHUNK,
      position: CHUNK + 4096,
      mask: CRC_PRESERVING_MASK,
    },
  ])(
    'a chunk changed after its hash pass ($change): ImageChangedError, never retried, no chunk of it stored',
    async ({ name, size, position, mask }) => {
      const data = randomImage(size);
      const imagePath = await h.image(data);
      let posts = 0;
      const appendsBefore = h.emulator.callCount('append-chunk');
      const run = h.publish(
        { imagePath, name },
        {
          beforeRequest: (r) => {
            if (isChunkPost(r) && ++posts === 2) xorInPlace(imagePath, position, mask);
          },
        },
      );
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageChangedError);
      expect((error as Error).message).toBe(
        `\`${imagePath}\` changed while it was being uploaded (chunk 2 re-read: modification time moved)`,
      );
      expect(run.run.events.filter((e) => e.type === 'retry')).toEqual([]); // never a retry loop
      expect(h.emulator.callCount('append-chunk') - appendsBefore).toBe(2);
      const held = storedChunks(name);
      expect(held.map((c) => c.length)).toEqual([CHUNK]);
      expect(hashMatches(held[0]!.hash, md5(data.subarray(0, CHUNK)))).toBe(true);
      expect(h.emulator.state.firmwareImages().filter((i) => i.name === name)).toEqual([]);
    },
  );

  it("the service's refusal of a chunk (400 Content-MD5) from an unchanged file stays its 400: re-read, not taken for a change, never retried", async () => {
    const data = randomImage(2 * CHUNK);
    const imagePath = await h.image(data);
    const name = 'md5-refused-unchanged';
    h.emulator.faults.add({
      operation: 'append-chunk',
      nth: h.emulator.callCount('append-chunk') + 2,
      fault: { type: 'status', status: 400, message: 'Content-MD5 does not match the body' },
    });
    try {
      const run = h.publish({ imagePath, name });
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect((error as ServiceError).status).toBe(400);
      expect((error as ServiceError).message).toMatch(/Content-MD5/);
      expect(run.run.events.filter((e) => e.type === 'retry')).toEqual([]);
      expect(storedChunks(name).map((c) => c.length)).toEqual([CHUNK]);
    } finally {
      h.emulator.faults.clear();
    }
  });

  it('a 201 that stores other bytes than ours, from a file written after the send, is ImageChangedError, not another writer', async () => {
    const data = randomImage(2 * CHUNK);
    const imagePath = await h.image(data);
    const name = 'misstored-changed';
    // In front of the emulator: the answer to chunk 1 reports another hash, and the file is written just
    // before that answer reaches the client (after the whole body went out, its fstat check passed).
    const proxy = await startRewritingProxy(h.emulator.url, 'POST', (path, body) => {
      if (!/\/chunks$/.test(path) || body.id !== 1) return body;
      xorInPlace(imagePath, 5, Buffer.from([1]));
      return { ...body, hash: '0'.repeat(32) };
    });
    try {
      const error = await h.publish({ imagePath, name }, { baseUrl: proxy.url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImageChangedError);
      expect((error as Error).message).toMatch(/chunk 1 re-read|modification time moved/);
      expect(h.emulator.state.firmwareImages().filter((i) => i.name === name)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
