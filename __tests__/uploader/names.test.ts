// The pure parts of the name policy: suffixed names and held-chunk matching.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { UploadChunk } from '../../src/api/types.js';
import { heldChunksMismatch } from '../../src/uploader/decide.js';
import { suffixedName } from '../../src/uploader/names.js';

describe('suffixedName', () => {
  it('appends -N', () => {
    expect(suffixedName('fw', 2)).toBe('fw-2');
  });

  it('shortens the base so the whole stays within 128 characters', () => {
    const name = suffixedName('a'.repeat(128), 12);
    expect(name).toBe(`${'a'.repeat(125)}-12`);
    expect(name).toHaveLength(128);
  });

  it('never cuts a surrogate pair in half', () => {
    const name = suffixedName(`${'a'.repeat(125)}😀b`, 2);
    expect(name).toBe(`${'a'.repeat(125)}-2`);
  });
});

describe('heldChunksMismatch', () => {
  const bytes = [Buffer.from('first'), Buffer.from('second')];
  const md5 = (b: Buffer) => createHash('md5').update(b).digest();
  const local = bytes.map((b) => ({ length: b.length, md5: md5(b) }));
  const held = (id: number, b: Buffer, hash = md5(b).toString('hex')): UploadChunk => ({
    id,
    length: b.length,
    hash,
    created_at: '',
    updated_at: '',
    etag: '',
  });

  it('a prefix matches, with the hash in hex (any case) or base64', () => {
    expect(heldChunksMismatch([], local)).toBeUndefined();
    expect(
      heldChunksMismatch([held(1, bytes[0]!, md5(bytes[0]!).toString('hex').toUpperCase())], local),
    ).toBeUndefined();
    expect(
      heldChunksMismatch([held(1, bytes[0]!), held(2, bytes[1]!, md5(bytes[1]!).toString('base64'))], local),
    ).toBeUndefined();
  });

  it('names what differs', () => {
    expect(heldChunksMismatch([held(1, bytes[1]!)], local)).toBe(
      'its chunk 1 is 6 bytes where the local file has 5',
    );
    expect(heldChunksMismatch([held(1, Buffer.from('FIRST'))], local)).toMatch(
      /^its chunk 1 has MD5 .*different/,
    );
    expect(heldChunksMismatch([held(2, bytes[0]!)], local)).toBe('its chunk 2 is where chunk 1 should be');
    expect(heldChunksMismatch([held(1, bytes[0]!), held(2, bytes[1]!), held(3, bytes[1]!)], local)).toBe(
      'it holds 3 chunks but the local file makes 2',
    );
  });

  it('without local MD5s (not hashed yet) only ids and lengths are compared', () => {
    expect(heldChunksMismatch([held(1, Buffer.from('FIRST'))], [{ length: 5 }])).toBeUndefined();
  });
});
