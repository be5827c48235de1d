import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { EMPTY_MD5_BASE64 } from '../../src/api/types.js';
import { hashMatches, md5, md5Base64, md5Hex, planChunks } from '../../src/image/index.js';
import { MiB } from '../../src/common/bytes.js';

const FIVE = 5 * MiB;

describe('planChunks', () => {
  it('plans one short chunk for a 1-byte image', () => {
    expect(planChunks(1, FIVE)).toEqual([{ index: 1, offset: 0, length: 1 }]);
  });

  it('plans one chunk just under and exactly at the chunk size', () => {
    expect(planChunks(FIVE - 1, FIVE)).toEqual([{ index: 1, offset: 0, length: FIVE - 1 }]);
    expect(planChunks(FIVE, FIVE)).toEqual([{ index: 1, offset: 0, length: FIVE }]);
  });

  it('puts the remainder in a last short chunk', () => {
    expect(planChunks(2 * FIVE + 1, FIVE)).toEqual([
      { index: 1, offset: 0, length: FIVE },
      { index: 2, offset: FIVE, length: FIVE },
      { index: 3, offset: 2 * FIVE, length: 1 },
    ]);
  });

  it('has no zero-length chunk for an exact multiple', () => {
    const chunks = planChunks(3 * FIVE, FIVE);
    expect(chunks.map((c) => c.length)).toEqual([FIVE, FIVE, FIVE]);
    expect(chunks.map((c) => c.index)).toEqual([1, 2, 3]);
  });

  it('plans nothing for an empty image and refuses nonsense sizes', () => {
    expect(planChunks(0, FIVE)).toEqual([]);
    expect(() => planChunks(10, 0)).toThrow(RangeError);
    expect(() => planChunks(-1, FIVE)).toThrow(RangeError);
    expect(() => planChunks(1.5, FIVE)).toThrow(RangeError);
  });
});

describe('RFC 1864 helpers', () => {
  it('encodes the raw digest in base64, never the hex string', () => {
    expect(md5Base64(Buffer.alloc(0))).toBe(EMPTY_MD5_BASE64);
    expect(md5Base64(Buffer.alloc(0))).toBe('1B2M2Y8AsgTpgAmY7PhCfg==');
    // RFC 1321 test vectors
    expect(md5Hex(Buffer.from('abc'))).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Base64(Buffer.from('abc'))).toBe(
      Buffer.from('900150983cd24fb0d6963f7d28e17f72', 'hex').toString('base64'),
    );
    expect(md5Hex(Buffer.from('message digest'))).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5Base64(Buffer.from('message digest'))).toBe('+WtpfXy3k41SWi8xqvFh0A==');
    expect(md5(Buffer.from('abc'))).toHaveLength(16);
  });

  it('matches a service hash given in hex of any case, or in base64', () => {
    const digest = createHash('md5').update('chunk').digest();
    expect(hashMatches(digest.toString('hex'), digest)).toBe(true);
    expect(hashMatches(digest.toString('hex').toUpperCase(), digest)).toBe(true);
    expect(hashMatches(digest.toString('base64'), digest)).toBe(true);
    expect(hashMatches(` ${digest.toString('hex')}\n`, digest)).toBe(true);
  });

  it('does not match another digest in either form', () => {
    const digest = createHash('md5').update('chunk').digest();
    const other = createHash('md5').update('other').digest();
    expect(hashMatches(other.toString('hex'), digest)).toBe(false);
    expect(hashMatches(other.toString('base64'), digest)).toBe(false);
    expect(hashMatches('', digest)).toBe(false);
    expect(hashMatches(digest.toString('hex').slice(0, 30), digest)).toBe(false);
  });
});
