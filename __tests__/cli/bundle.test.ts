// The bundled CLI (dist/cli/index.js, what the package's `bin` points at) run as a child process, as a
// user's shell or CI job runs it. dist/ is bundled first when stale.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'dist/cli/index.js');
const KEY = 'ak_bundle_test_secret_42';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let emulator: Emulator;
let dir: string;
let image: Buffer;

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: KEY, port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'cli-bundle-'));
  image = randomBytes(5 * 1024 * 1024 + 99);
  writeFileSync(path.join(dir, 'fw.bin'), image);
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the bundled CLI with only PATH and the key in its environment; `onStderr` sees the text so far. */
function runBundled(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, IZUMA_API_KEY: KEY },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, child);
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

// A glob, so @actions/glob runs and its ::debug:: lines must be kept off stdout.
const publishArgs = (name: string) => [
  'publish',
  '--image',
  'f*.bin',
  '--name',
  name,
  '--chunk-size',
  '5MiB',
  '--api-host',
  emulator.url,
];

describe('bundled CLI (dist/cli/index.js)', () => {
  it('is the package bin and keeps its shebang', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['izuma-firmware-publish']).toBe('dist/cli/index.js');
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(JSON.parse(readFileSync(path.join(ROOT, 'dist/cli/package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
  });

  it('publishes with --json: outputs on stdout, the stored bytes equal the file, and it exits by itself', async () => {
    const run = await runBundled([...publishArgs('bundle-json'), '--json']);
    expect(run.code).toBe(0);
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({
      name: 'bundle-json',
      outcome: 'uploaded',
      datafile_size: String(image.length),
    });
    // Compared by digest: a deep equality over megabytes of bytes takes jest many seconds.
    expect(sha256(await emulator.state.imageBytes(outputs.firmware_image_id!))).toBe(sha256(image));
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });

  it('SIGINT cancels the upload in flight: a message, exit code 1, and the process ends', async () => {
    // Chunk requests never get an answer: only the signal can end this run.
    emulator.faults.add({ operation: 'append-chunk', fault: { type: 'hang' } });
    try {
      let sent = false;
      const run = await runBundled(publishArgs('bundle-sigint'), (text, child) => {
        if (!sent && text.includes('created upload job')) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('SIGINT: cancelling');
      expect(run.stderr).toMatch(/^error: cancelled: /m);
    } finally {
      emulator.faults.clear();
    }
  });
});
