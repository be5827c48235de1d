// `npm run check:licenses` (.ci/run, check-dist.yml): the licences ncc lists for each bundle
// (dist/**/licenses.txt) are all in the allow-list.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkLicenses, licenseAllowed, parseLicenses } from '../../scripts/lib/licenses.js';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const entry = (name: string, license: string, text = `${license} licence text\n\nwith a blank line inside`) =>
  `${name}\n${license}\n${text}\n\n`;

describe('parseLicenses', () => {
  it('reads every package of the committed bundles, with its licence', async () => {
    const file = join(PROJECT_ROOT, 'dist', 'licenses.txt');
    if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run bundle'`);
    const packages = parseLicenses(await readFile(file, 'utf8'));
    expect(packages).toEqual(
      expect.arrayContaining([
        { name: '@actions/core', license: 'MIT' },
        { name: 'undici', license: 'MIT' },
        { name: 'minimatch', license: 'BlueOak-1.0.0' },
      ]),
    );
    expect(checkLicenses(await readFile(file, 'utf8'), 'dist/licenses.txt')).toEqual([]);
  });

  it.each(['dist', 'dist/cli', 'dist/campaign'])(
    '%s bundles @actions/github for its context only: no Octokit, one undici',
    async (folder) => {
      const names = parseLicenses(await readFile(join(PROJECT_ROOT, folder, 'licenses.txt'), 'utf8')).map(
        (p) => p.name,
      );
      expect(names).toContain('@actions/github');
      expect(names.filter((name) => name.startsWith('@octokit/'))).toEqual([]);
      expect(names.filter((name) => name === 'undici')).toHaveLength(1);
    },
  );

  it('does not mistake a licence text line for an entry', () => {
    const text =
      entry('a', 'MIT', 'Copyright x\n\nMIT License\nPermission is granted') + entry('@s/b', 'ISC');
    expect(parseLicenses(text)).toEqual([
      { name: 'a', license: 'MIT' },
      { name: '@s/b', license: 'ISC' },
    ]);
  });
});

describe('licenseAllowed', () => {
  it('reads SPDX expressions: OR needs one allowed side, AND both, WITH never', () => {
    expect(licenseAllowed('(MIT OR GPL-3.0-only)')).toBe(true);
    expect(licenseAllowed('MIT AND Apache-2.0')).toBe(true);
    expect(licenseAllowed('MIT AND GPL-3.0-only')).toBe(false);
    expect(licenseAllowed('Apache-2.0 WITH LLVM-exception')).toBe(false);
    expect(licenseAllowed('UNLICENSED')).toBe(false);
  });
});

describe('npm run check:licenses', () => {
  const run = (root: string) =>
    promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'check-licenses.ts'), '--root', root],
      { cwd: PROJECT_ROOT },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('fails on a bundle with a licence outside the list, naming the package, in any dist/ folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'licenses-'));
    try {
      await mkdir(join(root, 'dist', 'campaign'), { recursive: true });
      await writeFile(join(root, 'dist', 'licenses.txt'), entry('undici', 'MIT'));
      await writeFile(
        join(root, 'dist', 'campaign', 'licenses.txt'),
        entry('left-pad', 'WTFPL') + entry('readline-gpl', 'GPL-3.0-or-later'),
      );
      const { code, stderr } = await run(root);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /dist\/campaign\/licenses\.txt: left-pad is licensed WTFPL, which is not in the allow-list/,
      );
      expect(stderr).toMatch(/readline-gpl is licensed GPL-3\.0-or-later/);
      expect(stderr).not.toMatch(/undici/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('fails when there is no licenses.txt, or one it cannot read an entry from', async () => {
    const root = await mkdtemp(join(tmpdir(), 'licenses-'));
    try {
      expect((await run(root)).stderr).toMatch(
        /no dist\/\*\*\/licenses\.txt under .*: run 'npm run bundle' first/,
      );
      await mkdir(join(root, 'dist'));
      await writeFile(join(root, 'dist', 'licenses.txt'), 'something else entirely\n');
      const { code, stderr } = await run(root);
      expect(code).toBe(1);
      expect(stderr).toMatch(/no package entries found/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('passes on the committed bundles', async () => {
    const { code, stdout } = await run(PROJECT_ROOT);
    expect(code).toBe(0);
    expect(stdout).toMatch(/dist\/licenses\.txt: \d+ packages/);
    expect(stdout).toMatch(/dist\/cli\/licenses\.txt: \d+ packages/);
  });
});
