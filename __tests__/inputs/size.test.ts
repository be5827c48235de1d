import { describe, expect, it } from '@jest/globals';
import { formatBytes } from '../../src/common/bytes.js';
import { parseSize } from '../../src/inputs/index.js';

describe('parseSize', () => {
  it.each([
    ['5242880', 5242880],
    ['0', 0],
    ['8MiB', 8 * 1024 ** 2],
    ['16 MiB', 16 * 1024 ** 2],
    ['16MB', 16_000_000],
    ['16mb', 16_000_000],
    ['1GiB', 1024 ** 3],
    ['1gb', 1e9],
    ['2KiB', 2048],
    ['2KB', 2000],
    ['512B', 512],
    ['7.5MiB', 7.5 * 1024 ** 2],
    ['0.5KiB', 512],
    [' 32MiB ', 32 * 1024 ** 2],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'MiB', '8 M', '8MiBs', '-1', '1,5MiB', '0x10', '8 MiB extra'])('refuses %j', (text) => {
    expect(() => parseSize(text)).toThrow(/is not a size/);
  });

  it('refuses decimals that do not land on a whole byte', () => {
    expect(() => parseSize('1.5B')).toThrow(/whole number of bytes/);
    expect(() => parseSize('0.0001KB')).toThrow(/whole number of bytes/);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [32 * 1024 ** 2, '32 MiB'],
    [1024 ** 3 + 1024 ** 2 * 100, '1.1 GiB'],
  ])('%d is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
