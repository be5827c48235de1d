// The contestants: the bundled action and the curl loop (each against a fresh emulator, so every run
// creates a new image and the emulator's stored copies never pile up on disk), and the hashing floors.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { startEmulator, type Shaping } from '../../src/emulator/index.js';
import { PROJECT_ROOT, startAction } from '../lib/run-action.js';
import { timeCommand, watchProcess, type Usage } from './measure.js';

export interface Contestant {
  label: string;
  run(): Promise<Usage>;
}

export interface UploadSetup {
  imagePath: string;
  chunkSize: number;
  shaping?: Shaping;
  /** A build of the action other than dist/index.js. */
  entry?: string;
}

const BENCH_KEY = 'ak_bench_key';
const CURL_UPLOAD = join(PROJECT_ROOT, 'scripts', 'curl-upload.sh');
const OUTPUT_TAIL_CHARS = 2000;

/** A name never used before: a taken name would make the action reuse the image instead of uploading. */
const freshName = (who: string) => `bench-${who}-${randomUUID().slice(0, 8)}`;

/**
 * Where the emulator stores what it receives: tmpfs when there is one. On disk, a 4 GiB upload outgrows the
 * dirty-page limit and the kernel throttles the emulator's writes to the disk's speed: that would measure
 * this machine's disk, which is no part of the client's cost. Every byte is still written.
 */
export const EMULATOR_STORAGE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Runs `upload` against an emulator of its own, in this process, so the emulator is never measured. */
async function withEmulator<T>(
  shaping: Shaping | undefined,
  upload: (url: string) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(EMULATOR_STORAGE, 'bench-emulator-'));
  try {
    const emulator = await startEmulator({ apiKey: BENCH_KEY, shaping, dataDir });
    try {
      return await upload(emulator.url);
    } finally {
      await emulator.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The bundled action on Node 24, started the way a GitHub runner starts it. */
export function actionContestant(setup: UploadSetup, label = 'action'): Contestant {
  return {
    label,
    run: () =>
      withEmulator(setup.shaping, async (url) => {
        const { child, result } = await startAction({
          entry: setup.entry,
          cwd: dirname(setup.imagePath),
          inputs: {
            'api-key': BENCH_KEY,
            'api-host': url,
            'image-path': basename(setup.imagePath),
            name: freshName('action'),
            'chunk-size': String(setup.chunkSize),
          },
        });
        if (child.pid === undefined) throw new Error('the action did not start');
        const watch = watchProcess(child.pid);
        const run = await result;
        const usage = watch.stop();
        await run.cleanup();
        if (run.exitCode !== 0 || run.outputs.outcome !== 'uploaded') {
          const output = `${run.stdout}\n${run.stderr}`.slice(-OUTPUT_TAIL_CHARS);
          throw new Error(
            `the action exited with ${run.exitCode}, outcome '${run.outputs.outcome}':\n${output}`,
          );
        }
        return usage;
      }),
  };
}

/** scripts/curl-upload.sh: the guide's steps as a plain sequential loop, same chunk size. */
export function curlLoopContestant(setup: UploadSetup): Contestant {
  return {
    label: 'curl loop',
    run: () =>
      withEmulator(setup.shaping, (url) =>
        timeCommand('bash', [
          CURL_UPLOAD,
          url,
          BENCH_KEY,
          setup.imagePath,
          freshName('curl'),
          String(setup.chunkSize),
        ]),
      ),
  };
}

export const md5sumContestant = (imagePath: string): Contestant => ({
  label: 'md5sum',
  run: () => timeCommand('md5sum', [imagePath]),
});

export const opensslContestant = (imagePath: string, digest: 'md5' | 'sha256'): Contestant => ({
  label: `openssl ${digest}`,
  run: () => timeCommand('openssl', ['dgst', `-${digest}`, imagePath]),
});
