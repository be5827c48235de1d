import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ImagePathError, locateImage } from '../../src/image/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locate-'));
  await mkdir(join(dir, 'out', 'nested'), { recursive: true });
  await writeFile(join(dir, 'out', 'firmware.bin'), 'abcd');
  await writeFile(join(dir, 'out', 'notes.txt'), 'text');
  await writeFile(join(dir, 'out', 'nested', 'other.bin'), 'xyz');
  await writeFile(join(dir, 'out', 'empty.img'), '');
  await writeFile(join(dir, 'out', 'fw[1].hex'), '12');
  for (let i = 0; i < 12; i++) await writeFile(join(dir, 'out', `part${i}.many`), 'p');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(pattern: string): Promise<ImagePathError> {
  const error = await locateImage(pattern).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImagePathError);
  expect((error as ImagePathError).message).toMatch(/^Input `image-path`: /);
  return error as ImagePathError;
}

describe('locateImage', () => {
  it('finds a plain absolute path', async () => {
    expect(await locateImage(join(dir, 'out', 'firmware.bin'))).toEqual({
      path: join(dir, 'out', 'firmware.bin'),
      size: 4,
    });
  });

  it('resolves a relative path against the working directory', async () => {
    const located = await locateImage(relative(process.cwd(), join(dir, 'out', 'firmware.bin')));
    expect(located.path).toBe(join(dir, 'out', 'firmware.bin'));
  });

  it('finds the one match of a glob', async () => {
    expect((await locateImage(join(dir, 'out', '*.bin'))).path).toBe(join(dir, 'out', 'firmware.bin'));
    expect((await locateImage(join(dir, '**', 'other.bin'))).size).toBe(3);
  });

  it('takes an existing file whose name has glob characters literally', async () => {
    expect((await locateImage(join(dir, 'out', 'fw[1].hex'))).size).toBe(2);
  });

  it('a `..` path or glob that does not exist: a message naming image-path, not the glob library', async () => {
    const relativeToCwd = relative(process.cwd(), join(dir, 'no-such-dir'));
    expect(relativeToCwd).toMatch(/^\.\./);
    for (const pattern of [`${relativeToCwd}/firmware.bin`, `${relativeToCwd}/*.bin`]) {
      const error = await failure(pattern);
      expect(error.message).toMatch(/matches no file/);
      expect(error.message).not.toMatch(/Relative pathing/);
    }
  });

  it('a `..` glob that exists finds its match', async () => {
    const pattern = `${relative(process.cwd(), join(dir, 'out', 'nested'))}/../*.bin`;
    expect((await locateImage(pattern)).path).toBe(join(dir, 'out', 'firmware.bin'));
  });

  it('reports no match', async () => {
    expect((await failure(join(dir, 'out', '*.zip'))).message).toMatch(/matches no file/);
  });

  it('lists several matches', async () => {
    const message = (await failure(join(dir, '**', '*.bin'))).message;
    expect(message).toMatch(/matches 2 files/);
    expect(message).toContain(join(dir, 'out', 'firmware.bin'));
    expect(message).toContain(join(dir, 'out', 'nested', 'other.bin'));
  });

  it('lists at most 10 of many matches', async () => {
    const message = (await failure(join(dir, 'out', '*.many'))).message;
    expect(message).toMatch(/matches 12 files .* and 2 more\)/);
    expect(message.match(/part\d+\.many/g)).toHaveLength(10);
  });

  it('refuses a directory, by path or by glob', async () => {
    expect((await failure(join(dir, 'out', 'nested'))).message).toMatch(/is a directory/);
    expect((await failure(join(dir, 'out', 'nest*'))).message).toMatch(/is a directory/);
  });

  it('refuses an empty file', async () => {
    expect((await failure(join(dir, 'out', 'empty.img'))).message).toMatch(/is empty/);
  });
});
