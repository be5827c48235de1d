// The tests that run dist/ (the bundled action and CLI) must not run a stale bundle. `npm run bundle`
// stamps what it built from (a hash of src/ and the build inputs) and what it wrote (a hash of dist/);
// ensureFreshDist() compares both with the tree as it is now and, when either differs or there is no
// stamp (a fresh clone, a checkout, an edit of src/), runs `npm run bundle` first and says so.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PROJECT_ROOT } from './run-action.js';

export const DIST_DIR = join(PROJECT_ROOT, 'dist');
/** Local, not committed (.tmp/ is ignored): it vouches for this checkout's dist/ only. */
export const DIST_STAMP = join(PROJECT_ROOT, '.tmp', 'dist-stamp.json');
const LOCK_DIR = join(PROJECT_ROOT, '.tmp', 'bundling.lock');
/** What ncc reads besides src/. */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json'];
/** A lock older than this is left over from a killed run. */
const STALE_LOCK_MS = 5 * 60_000;

interface Stamp {
  inputs: string;
  dist: string;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat().sort();
}

async function hashFiles(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${relative(PROJECT_ROOT, file)}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

async function currentStamp(): Promise<Stamp> {
  const inputs = [
    ...(await filesUnder(join(PROJECT_ROOT, 'src'))),
    ...BUILD_INPUTS.map((f) => join(PROJECT_ROOT, f)),
  ];
  return { inputs: await hashFiles(inputs), dist: await hashFiles(await filesUnder(DIST_DIR)) };
}

/** Records that dist/ was just built from the tree as it is (the last step of `npm run bundle`). */
export async function writeDistStamp(): Promise<void> {
  await mkdir(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  await writeFile(DIST_STAMP, `${JSON.stringify(await currentStamp())}\n`);
}

/** Whether the stamp vouches for dist/ as it is, built from src/ as it is. */
export async function distIsFresh(): Promise<boolean> {
  const stamp = (await readFile(DIST_STAMP, 'utf8').then(JSON.parse, () => undefined)) as Stamp | undefined;
  if (!stamp) return false;
  const now = await currentStamp();
  return stamp.inputs === now.inputs && stamp.dist === now.dist;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  await mkdir(join(PROJECT_ROOT, '.tmp'), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch {
      const held = await stat(LOCK_DIR).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS)
        await rm(LOCK_DIR, { recursive: true, force: true });
      await delay(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

let checked: Promise<'fresh' | 'rebuilt'> | undefined;

/**
 * Makes sure dist/ is built from src/ as it is: 'fresh' when the stamp vouches for it, else bundles
 * (one jest worker at a time; the others wait and then find it fresh) and returns 'rebuilt'.
 */
export function ensureFreshDist(
  say: (line: string) => void = (line) => console.warn(line),
): Promise<'fresh' | 'rebuilt'> {
  checked ??= (async () => {
    if (await distIsFresh()) return 'fresh';
    return withLock(async () => {
      if (await distIsFresh()) return 'fresh';
      say(
        'dist/ is not stamped as built from src/ as it is: running `npm run bundle` before the tests that run it',
      );
      const build = spawnSync('npm', ['run', '-s', 'bundle'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      if (build.status !== 0) throw new Error(`npm run bundle failed:\n${build.stdout}${build.stderr}`);
      return 'rebuilt';
    });
  })();
  return checked;
}

/** `tsx scripts/lib/fresh-dist.ts -o <dir>` (the bundle script's last step): stamps dist/ only. */
async function main(args: string[]): Promise<void> {
  const out = args[args.indexOf('-o') + 1];
  if (out !== undefined && resolve(PROJECT_ROOT, out) === DIST_DIR) await writeDistStamp();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(PROJECT_ROOT, 'scripts/lib/fresh-dist.ts')) {
  await main(process.argv.slice(2));
}
