// The committed bundle (dist/index.js) run as GitHub runs it: Node 24, INPUT_* variables, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, against the emulator in this process. Run `npm run bundle` first.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  parseGithubOutput,
  runAction,
  startAction,
  type ActionRunResult,
} from '../../scripts/lib/run-action.js';
import { MiB } from '../../src/common/bytes.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const API_KEY = 'ak_e2e_5ecret_never_in_the_log';

/** Deterministic bytes, so a failure reproduces. */
function sampleImage(size: number): Buffer {
  const image = Buffer.alloc(size);
  let state = 0x2545f491;
  for (let i = 0; i < size; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    image.writeInt32LE(state | 0, Math.min(i, size - 4));
  }
  return image;
}

let emulator: Emulator;
let workspace: string;
const image = sampleImage(11 * MiB + 7); // three chunks of 5 MiB, the last one short
const sha256 = createHash('sha256').update(image).digest('hex');

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: API_KEY, port: 0 });
  workspace = await mkdtemp(join(tmpdir(), 'e2e-workspace-'));
  await writeFile(join(workspace, 'widget.bin'), image);
});

afterAll(async () => {
  await emulator.stop();
  await rm(workspace, { recursive: true, force: true });
});

function inputs(name: string): Record<string, string> {
  // What a workflow's `with:` gives; runAction adds action.yml's defaults for the rest, as the runner does.
  return {
    'api-key': API_KEY,
    'api-host': emulator.url,
    'image-path': 'widget.*',
    name,
    'chunk-size': '5MiB',
  };
}

/** The key shows up only in the `::add-mask::` command that hides it, nowhere else. */
function expectKeyOnlyMasked(run: ActionRunResult) {
  const unmasked = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  for (const text of [unmasked, run.stderr, run.summary, JSON.stringify(run.outputs)]) {
    expect(text).not.toContain(API_KEY);
  }
  expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${API_KEY}`);
}

describe('dist/index.js on Node 24', () => {
  const runs: ActionRunResult[] = [];
  afterAll(async () => Promise.all(runs.map((run) => run.cleanup())));

  it('uploads the image byte for byte, then reuses it on a re-run', async () => {
    const first = await runAction({ inputs: inputs('widget-e2e'), cwd: workspace });
    runs.push(first);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const stored = emulator.state.firmwareImages().find((i) => i.name === 'widget-e2e');
    expect(first.outputs).toEqual({
      firmware_image_id: stored?.id,
      datafile_url: stored?.datafile,
      short_datafile_url: stored?.short_datafile,
      datafile_checksum: sha256,
      datafile_size: String(image.length),
      upload_job_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'widget-e2e',
      outcome: 'uploaded',
    });
    expect((await emulator.state.imageBytes(stored!.id)).equals(image)).toBe(true);
    expect(emulator.violations()).toEqual([]);
    expect(first.summary).toContain('## ✅ Firmware image uploaded');
    expect(first.summary).toContain(sha256);
    expectKeyOnlyMasked(first);

    const second = await runAction({ inputs: inputs('widget-e2e'), cwd: workspace });
    runs.push(second);
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      outcome: 'reused',
      firmware_image_id: stored?.id,
      datafile_checksum: sha256,
    });
    expect(emulator.state.firmwareImages().filter((i) => i.name === 'widget-e2e')).toHaveLength(1);
  });

  it('stops on SIGINT mid-upload, says how to resume, and a re-run resumes to the exact bytes', async () => {
    const appendsBefore = emulator.callCount('append-chunk');
    // The second chunk never gets an answer: the run is cancelled while it is in flight.
    emulator.faults.add({ operation: 'append-chunk', nth: appendsBefore + 2, fault: { type: 'hang' } });
    const running = await startAction({ inputs: inputs('widget-cancel'), cwd: workspace });
    while (emulator.callCount('append-chunk') < appendsBefore + 2 && running.child.exitCode === null) {
      await delay(20);
    }
    running.child.kill('SIGINT');
    const cancelled = await running.result;
    runs.push(cancelled);
    emulator.faults.clear();

    expect(cancelled.exitCode).toBe(1);
    expect(cancelled.stdout).toMatch(/cancelled \(SIGINT\): upload job [0-9a-f]{32} holds 1 of 3 chunks/);
    expect(cancelled.stdout).toMatch(
      /^::error::upload cancelled: upload job [0-9a-f]{32} holds 1 of 3 chunks; run again/m,
    );
    expect(cancelled.outputs).toEqual({});
    expectKeyOnlyMasked(cancelled);

    const resumed = await runAction({ inputs: inputs('widget-cancel'), cwd: workspace });
    runs.push(resumed);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.outputs.outcome).toBe('resumed');
    const stored = emulator.state.firmwareImages().find((i) => i.name === 'widget-cancel');
    expect((await emulator.state.imageBytes(stored!.id)).equals(image)).toBe(true);
  });

  it('takes the key and the host from MBED_CLOUD_SDK_API_KEY and MBED_CLOUD_SDK_HOST when the inputs are empty', async () => {
    const { 'api-key': _key, 'api-host': _host, ...rest } = inputs('widget-env');
    const run = await runAction({
      inputs: rest,
      env: { MBED_CLOUD_SDK_API_KEY: API_KEY, MBED_CLOUD_SDK_HOST: emulator.url },
      cwd: workspace,
    });
    runs.push(run);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ name: 'widget-env', outcome: 'uploaded', datafile_checksum: sha256 });
    expectKeyOnlyMasked(run);
  });

  it('fails a bad input with one error line naming it, and exit code 1', async () => {
    const run = await runAction({
      inputs: { ...inputs('widget-bad'), 'on-conflict': 'overwrite' },
      cwd: workspace,
    });
    runs.push(run);
    expect(run.exitCode).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('`on-conflict`');
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });
});

describe('parseGithubOutput', () => {
  it('reads heredoc blocks, including multi-line values, and plain lines', () => {
    const text = 'a<<ghadelimiter_1\none\nghadelimiter_1\nb<<EOF\nline 1\nline 2\nEOF\nc=3\n';
    expect(parseGithubOutput(text)).toEqual({ a: 'one', b: 'line 1\nline 2', c: '3' });
  });
});
