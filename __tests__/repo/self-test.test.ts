// The direct leg of .github/workflows/self-test.yml, run here: its own steps, in order, through
// __tests__/repo/workflow-runner.ts — the emulator started in the background by the workflow's script,
// the bundled action (dist/index.js; run `npm run bundle` after changing src/) for the upload, the
// re-run, the dry run and the conflict, and each step's outputs checked by the workflow's own
// scripts/self-test/assert-outputs.sh, fed through the step's env: as on a runner.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { loadSelfTestJob } from './self-test-job.js';
import type { JobRun, StepRun } from './workflow-runner.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const ASSERT = join(PROJECT_ROOT, 'scripts', 'self-test', 'assert-outputs.sh');

describe('self-test.yml, direct leg', () => {
  let temp: string;
  let job: JobRun;
  let steps: StepRun[];
  const step = (id: string) => steps.find((s) => s.id === id)!;
  const assertion = (name: string) => steps.find((s) => s.name === name)!;

  beforeAll(async () => {
    temp = await mkdtemp(join(tmpdir(), 'self-test-'));
    // A free port: another test or a developer's emulator may hold the workflow's 8443.
    job = await loadSelfTestJob('direct', temp, { EMULATOR_PORT: '0' });
    try {
      steps = await job.run();
    } finally {
      job.stopBackgroundProcesses();
    }
  }, 120_000);

  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('runs every step of the job but the proxy ones, and the job passes', () => {
    const report = steps.map((s) => `${s.outcome}: ${s.name}${s.outcome === 'failure' ? `\n${s.log}` : ''}`);
    expect(job.failed ? report : []).toEqual([]);
    expect(steps.filter((s) => s.outcome === 'skipped').map((s) => s.name)).toEqual([
      'Route the emulator through tinyproxy only',
      'Only the proxy reaches the emulator',
      'Every connection went through the proxy',
      "The emulator's log", // if: failure()
    ]);
  });

  it('started the emulator in the background and handed its URL to the action steps', () => {
    expect(step('emulator').outputs.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('uploads, then reuses on the re-run, then dry-runs, each checked by assert-outputs.sh', () => {
    expect(step('upload').outputs.outcome).toBe('uploaded');
    expect(step('rerun').outputs.outcome).toBe('reused');
    expect(step('rerun').outputs.firmware_image_id).toBe(step('upload').outputs.firmware_image_id);
    expect(step('dry-run').outputs.outcome).toBe('dry-run');
    for (const name of [
      "Assert the upload step's outputs",
      "Assert the rerun step's outputs",
      "Assert the dry-run step's outputs",
    ]) {
      expect(assertion(name).outcome).toBe('success');
      expect(assertion(name).log).toMatch(/all checks passed/);
    }
  });

  it('fails the conflict step (continue-on-error), and the assertion sees the failure', () => {
    expect(step('conflict').outcome).toBe('failure');
    expect(step('conflict').log).toMatch(/already exists.*different content/);
    expect(step('conflict').outputs).toEqual({});
    const check = assertion('Assert the conflict step failed and set no outputs');
    expect(check.outcome).toBe('success');
    expect(check.log).toMatch(/✔ step outcome = 'failure'/);
  });
});

describe('assert-outputs.sh', () => {
  const run = (step: string, env: Record<string, string>) =>
    promisify(execFile)('bash', [ASSERT, step], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        output: e.stdout + e.stderr,
      }),
    );
  const image = {
    IMAGE_PATH: ASSERT, // any file: its size and SHA-256 are what the outputs must carry
    EXPECTED_NAME: 'fw',
    NAME: 'fw',
  };

  it('fails a re-run that uploaded again instead of reusing, naming each broken rule', async () => {
    const { code, output } = await run('rerun', {
      ...image,
      OUTCOME: 'uploaded',
      FIRST_IMAGE_ID: 'a'.repeat(32),
      FIRMWARE_IMAGE_ID: 'b'.repeat(32),
      UPLOAD_JOB_ID: 'c'.repeat(32),
      DATAFILE_SIZE: '1',
      DATAFILE_CHECKSUM: '0'.repeat(64),
    });
    expect(code).toBe(1);
    expect(output).toMatch(/outcome is 'uploaded', expected 'reused'/);
    expect(output).toMatch(/firmware_image_id is 'b+', expected 'a+'/);
    expect(output).toMatch(/datafile_size is '1'/);
    expect(output).toMatch(/datafile_checksum is '0+'/);
    expect(output).toMatch(/upload_job_id is 'c+', expected ''/);
    expect(output).toMatch(/rerun: 6 check\(s\) failed/);
  });

  it('fails a conflict step that succeeded', async () => {
    const { code, output } = await run('conflict', { STEP_OUTCOME: 'success', OUTCOME: 'reused' });
    expect(code).toBe(1);
    expect(output).toMatch(/step outcome is 'success', expected 'failure'/);
  });

  it('refuses an unknown step name', async () => {
    expect((await run('upload-twice', {})).code).toBe(2);
  });
});
