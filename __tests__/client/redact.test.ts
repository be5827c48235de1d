import { describe, expect, it } from '@jest/globals';
import { redactSecret } from '../../src/client/redact.js';

const KEY = 'ak_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');

describe('redactSecret', () => {
  it('scrubs the key as is, URL-encoded and JSON-escaped', () => {
    expect(redactSecret(`Bearer ${KEY}`, KEY)).toBe('Bearer ***');
    const odd = 'ak_a/b+c"d';
    expect(redactSecret(`q=${encodeURIComponent(odd)}`, odd)).toBe('q=***');
    expect(redactSecret(JSON.stringify({ h: odd }), odd)).toBe('{"h":"***"}');
  });

  it('scrubs the key base64-encoded, alone or inside longer base64 text at any alignment', () => {
    for (const prefix of ['', 'B', 'Be', 'Authorization: Bearer ', 'x:']) {
      for (const encode of [b64, b64url]) {
        const encoded = encode(`${prefix}${KEY}`);
        const scrubbed = redactSecret(`echo ${encoded} end`, KEY);
        expect(scrubbed).toContain('***');
        // What is left cannot be decoded back to the key, nor to most of it.
        expect(
          Buffer.from(scrubbed.replace(/^echo |\s*end$/g, '').replace('***', ''), 'base64').toString(
            'latin1',
          ),
        ).not.toContain(KEY.slice(4, -4));
      }
    }
  });

  it('scrubs the key split across lines: raw line breaks with indentation, `\\n` escapes, or wrapped base64', () => {
    const wrapped = `${KEY.slice(0, 10)}\n    ${KEY.slice(10, 25)}\r\n${KEY.slice(25)}`;
    expect(redactSecret(`key: ${wrapped}.`, KEY)).toBe('key: ***.');
    const escaped = `${KEY.slice(0, 20)}\\n${KEY.slice(20)}`;
    expect(redactSecret(`{"echo":"${escaped}"}`, KEY)).toBe('{"echo":"***"}');
    const mime = b64(`Bearer ${KEY}`).replace(/(.{19})/g, '$1\r\n');
    expect(redactSecret(mime, KEY)).toContain('***');
    expect(redactSecret(mime, KEY).replace(/\s/g, '')).not.toContain(b64(KEY).slice(4, 30));
  });

  it('changes nothing without a key, or in text that does not hold it', () => {
    expect(redactSecret('plain text', undefined)).toBe('plain text');
    expect(redactSecret('plain text ak_other', KEY)).toBe('plain text ak_other');
  });
});
