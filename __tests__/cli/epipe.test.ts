// The bundled CLI (dist/cli/index.js) writing into a pipe whose reader went away: `--help | head -1`,
// a closed stdout, a closed stderr in the middle of an upload. It must end quietly (no stack trace,
// no unhandled 'error' event) with the exit code it would have had; an upload it was running is
// cancelled like a SIGINT and a re-run resumes it. dist/ is bundled first when stale.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { MiB } from '../../src/common/bytes.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'dist/cli/index.js');
const KEY = 'ak_epipe_test_secret_7';
const CHUNKS = 4;

let emulator: Emulator;
let dir: string;
const image = seededBytes(3 * 5 * MiB + 11, 0x5eed); // four chunks of 5 MiB, the last one 11 bytes

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: KEY, port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'cli-epipe-'));
  writeFileSync(path.join(dir, 'fw.bin'), image);
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the bundled CLI (its stdout and stderr are socket pairs, as Node makes them; the shell test
 * covers a real pipe); `close` says which of its output pipes this side closes, and when: at once
 * (before the CLI has written anything) or once `when` matches the stderr read so far.
 */
function runBundled(args: string[], close?: { stream: 'stdout' | 'stderr'; when?: RegExp }): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, IZUMA_API_KEY: KEY },
  });
  let stdout = '';
  let stderr = '';
  const closeNow = () => child[close!.stream].destroy();
  if (close && !close.when) closeNow();
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (close?.when?.test(stderr) && !child[close.stream].destroyed) closeNow();
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

const publishArgs = (name: string) => [
  'publish',
  '--image',
  'fw.bin',
  '--name',
  name,
  '--chunk-size',
  '5MiB',
  '--api-host',
  emulator.url,
];

describe('bundled CLI with a closed reader (EPIPE)', () => {
  it('`--help | head -1` through a real shell pipe: the first line, exit 0, nothing on stderr', () => {
    // bash for PIPESTATUS: the CLI's own exit status, not head's.
    const run = spawnSync(
      'bash',
      ['-c', '"$NODE" "$BIN" --help | head -1; echo "cli exit ${PIPESTATUS[0]}" >&2'],
      {
        env: { PATH: process.env.PATH, NODE: process.execPath, BIN },
        encoding: 'utf8',
        // stdin not a socket, or bash takes itself for an rsh session and reads ~/.bashrc.
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(run.stdout).toBe('Usage: izuma-firmware-publish [options] [command]\n');
    expect(run.stderr).toBe('cli exit 0\n');
  });

  it('a stdout closed before anything is written: exit 0, no stack trace', async () => {
    const run = await runBundled(['--help'], { stream: 'stdout' });
    expect(run).toMatchObject({ code: 0, signal: null, stderr: '' });
  });

  it('a stderr closed before the usage error is written keeps the exit code of bad usage: 2', async () => {
    const run = await runBundled(['publish', '--no-such-option'], { stream: 'stderr' });
    expect(run).toMatchObject({ code: 2, signal: null, stdout: '' });
  });

  it('a stdout that fails for another reason (a full disk) is said on stderr and fails: exit 1', () => {
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true); // or the redirect would make a file
    const run = spawnSync('bash', ['-c', '"$NODE" "$BIN" --help > /dev/full'], {
      env: { PATH: process.env.PATH, NODE: process.execPath, BIN },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('error: cannot write to stdout (ENOSPC)\n');
  });

  it('an upload whose stdout reader is gone completes, and the results it cannot print end it quietly: exit 0', async () => {
    const run = await runBundled([...publishArgs('epipe-stdout'), '--json'], { stream: 'stdout' });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at |^error/m);
    const stored = emulator.state.firmwareImages().find((img) => img.name === 'epipe-stdout');
    expect((await emulator.state.imageBytes(stored!.id)).equals(image)).toBe(true);
  });

  it('stderr (progress) closing mid-upload cancels it like SIGINT: exit 1, job kept, a re-run resumes it', async () => {
    // Slow enough that chunks are still to go when the next progress line meets the closed pipe.
    emulator.setShaping({ bandwidthBytesPerSec: 20 * MiB });
    let first: Run;
    try {
      first = await runBundled(publishArgs('epipe-stderr'), { stream: 'stderr', when: /created upload job/ });
    } finally {
      emulator.setShaping(undefined);
    }
    expect(first).toMatchObject({ code: 1, signal: null, stdout: '' });
    const job = emulator.state.uploadJobs().find((j) => j.name === 'epipe-stderr');
    expect(job).toBeDefined();
    expect(job!.status).not.toBe('completed');
    const held = emulator.state.chunks(job!.id).length;
    expect(held).toBeLessThan(CHUNKS);

    const again = await runBundled([...publishArgs('epipe-stderr'), '--json']);
    expect(again.code).toBe(0);
    const outputs = JSON.parse(again.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({ outcome: 'resumed', upload_job_id: job!.id });
    expect((await emulator.state.imageBytes(outputs.firmware_image_id!)).equals(image)).toBe(true);
    expect(emulator.violations()).toEqual([]);
  });
});
