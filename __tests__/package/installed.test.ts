// The package as a user gets it: `npm pack`, the tarball installed offline into an empty prefix (it has no
// dependencies, so nothing is fetched), the installed `izuma-firmware-publish` run against the emulator.
// dist/ is packed as committed (a git-URL install ships it so, with no build step), so the test first
// checks that dist/ is what `npm run bundle` makes from src/ (built into a temp dir, compared byte for
// byte) and stops with a clear message when it is not.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { isBuiltin } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { MiB } from '../../src/common/bytes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEY = 'ak_installed_package_secret_3';
/**
 * Bounds with room for the campaign bundle, far below what a leak costs (node_modules was 33 MB, src/ and
 * __tests__/ 120 files). The README gives the measured sizes.
 */
const MAX_TARBALL_BYTES = 3 * MiB;
const MAX_INSTALLED_BYTES = 12 * MiB;
/** Scripts npm runs on install or pack: none may exist, so installing builds and runs nothing. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack'];

const run = promisify(execFile);

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let work: string;
let emulator: Emulator;
let packed: PackResult;
let prefix: string;
let installedDir: string;
/** PATH with this node first, so the bin's `#!/usr/bin/env node` finds it. */
let env: Record<string, string>;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'installed-package-'));
  env = {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    // A home and cache of our own: no user .npmrc, no shared cache, no update check.
    HOME: work,
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
  };
  await expectDistFresh();
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env });
  packed = (JSON.parse(stdout) as PackResult[])[0]!;
  prefix = path.join(work, 'prefix');
  await mkdir(prefix);
  await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, path.join(work, packed.filename)],
    { cwd: work, env },
  );
  installedDir = path.join(prefix, 'node_modules', 'izuma-firmware-publish');
  emulator = await startEmulator({ apiKey: KEY, port: 0 });
}, 300_000);
afterAll(async () => {
  await emulator?.stop();
  await rm(work, { recursive: true, force: true });
});

/** Builds the bundles as `npm run bundle` does, into a temp dir, and compares them with dist/. */
async function expectDistFresh(): Promise<void> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const out = path.join(work, 'fresh-dist');
  // The bundle script itself, its `-o dist…` pointed at the temp dir: one statement of how dist/ is made.
  const script = pkg.scripts.bundle!.replace(/-o dist(?=[\s/])/g, `-o ${out}`);
  const build = spawnSync('sh', ['-c', script], {
    cwd: ROOT,
    env: { ...env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${env.PATH}` },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`the bundle script failed:\n${build.stdout}${build.stderr}`);
  const stale: string[] = [];
  for (const file of await filesUnder(out)) {
    const committed = await readFile(path.join(ROOT, 'dist', file)).catch(() => undefined);
    if (!committed?.equals(await readFile(path.join(out, file)))) stale.push(`dist/${file}`);
  }
  if (stale.length > 0) {
    throw new Error(
      `dist/ is stale (${stale.join(', ')} differ from what src/ bundles to): run \`npm run bundle\`. ` +
        'This test packs dist/ as it is, the way a git-URL install ships it.',
    );
  }
}

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? filesUnder(path.join(dir, e.name), base)
        : [path.relative(base, path.join(dir, e.name))],
    ),
  );
  return nested.flat().sort();
}

async function tracked(...paths: string[]): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '--', ...paths], { cwd: ROOT });
  return stdout.split('\n').filter(Boolean);
}

/** Runs the installed bin through its npm link, as `npx` or a PATH lookup would. */
function runInstalled(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(path.join(prefix, 'node_modules', '.bin', 'izuma-firmware-publish'), args, {
    cwd,
    env: { PATH: env.PATH!, IZUMA_API_KEY: KEY },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the package tarball', () => {
  it('holds exactly the run-time and documentation files: dist/ as committed, the action.yml files, README, LICENSE', async () => {
    const expected = [
      'LICENSE',
      'README.md',
      'package.json',
      ...(await tracked('dist', 'action.yml', 'campaign/action.yml')),
    ];
    expect(packed.files.map((f) => f.path).sort()).toEqual(expected.sort());
    expect(expected).toEqual(expect.arrayContaining(['action.yml', 'dist/index.js', 'dist/cli/index.js']));
  });

  it(`is small: under ${MAX_TARBALL_BYTES / MiB} MiB packed`, () => {
    expect(packed.size).toBeLessThan(MAX_TARBALL_BYTES);
  });

  it('declares no dependency and no install-time script', async () => {
    const pkg = JSON.parse(await readFile(path.join(installedDir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) {
      expect(Object.keys(pkg[field] ?? {})).toEqual([]);
    }
    expect(Object.keys(pkg.scripts ?? {}).filter((s) => INSTALL_SCRIPTS.includes(s))).toEqual([]);
  });

  it('bundles everything: its scripts import only Node built-ins', async () => {
    const imported = new Set<string>();
    for (const file of (await filesUnder(installedDir)).filter((f) => f.endsWith('.js'))) {
      const code = await readFile(path.join(installedDir, file), 'utf8');
      // ncc's ESM output loads externals as `import … from "x"`, `import("x")` or createRequire(…)("x");
      // a specifier is a bare name (minified code also has `from"` before a string concatenation).
      for (const m of code.matchAll(
        /(?:\bfrom\s*|\bimport\(\s*|createRequire\(import\.meta\.url\)\()"([@\w][\w./:@-]*)"/g,
      )) {
        if (!m[1]!.startsWith('.')) imported.add(m[1]!);
      }
    }
    expect(imported.size).toBeGreaterThan(0); // the pattern still matches what ncc writes
    expect([...imported].filter((name) => !isBuiltin(name))).toEqual([]);
  });
});

describe('the package installed from its tarball', () => {
  it(`adds no dependency: node_modules holds the package alone, under ${MAX_INSTALLED_BYTES / MiB} MiB`, async () => {
    const modules = (await readdir(path.join(prefix, 'node_modules'))).filter((n) => !n.startsWith('.'));
    expect(modules).toEqual(['izuma-firmware-publish']);
    const sizes = await Promise.all(
      (await filesUnder(installedDir)).map(async (f) => (await stat(path.join(installedDir, f))).size),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(MAX_INSTALLED_BYTES);
  });

  it('publishes with --json against the emulator: the stored image equals the file byte for byte', async () => {
    const project = path.join(work, 'project');
    await mkdir(project);
    const image = seededBytes(5 * MiB + 321, 0x1457);
    await writeFile(path.join(project, 'firmware.bin'), image);
    const result = await runInstalled(
      [
        'publish',
        '--image',
        'firmware.bin',
        '--name',
        'installed-package',
        '--chunk-size',
        '5MiB',
        '--api-host',
        emulator.url,
        '--json',
      ],
      project,
    );
    expect(result.code).toBe(0);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({
      name: 'installed-package',
      outcome: 'uploaded',
      datafile_size: String(image.length),
    });
    expect(outputs.datafile_checksum).toBe(createHash('sha256').update(image).digest('hex'));
    expect((await emulator.state.imageBytes(outputs.firmware_image_id!)).equals(image)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it('`--help | head -1` through a real pipe: the usage line, exit 0, no stack trace', () => {
    const bin = path.join(prefix, 'node_modules', '.bin', 'izuma-firmware-publish');
    const piped = spawnSync('bash', ['-c', '"$BIN" --help | head -1; echo "cli exit ${PIPESTATUS[0]}" >&2'], {
      env: { PATH: env.PATH, BIN: bin },
      encoding: 'utf8',
      // stdin not a socket, or bash takes itself for an rsh session and reads ~/.bashrc.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(piped.stdout).toBe('Usage: izuma-firmware-publish [options] [command]\n');
    expect(piped.stderr).toBe('cli exit 0\n');
  });
});
