// The committed bundle (dist/index.js) run as GitHub runs it: Node 24, INPUT_* variables, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, against the emulator in this process. dist/ is bundled first when stale (ensureFreshDist).
import { describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { parseGithubOutput } from '../../scripts/lib/run-action.js';
import { MiB } from '../../src/common/bytes.js';
import { bundledSuite, errorLines, expectKeyNowhere } from '../support/bundled-action.js';

const API_KEY = 'ak_e2e_5ecret_never_in_the_log';
const { emulator, workspace, run, start } = bundledSuite({
  emulator: { apiKey: API_KEY },
  // three chunks of 5 MiB, the last one short
  image: { size: 11 * MiB + 7, seed: 0x2545f491, fileName: 'widget.bin', label: 'e2e-workspace' },
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

describe('dist/index.js on Node 24', () => {
  it('uploads the image byte for byte, then reuses it on a re-run', async () => {
    const first = await run({ inputs: inputs('widget-e2e') });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const stored = emulator.state.firmwareImages().find((i) => i.name === 'widget-e2e');
    expect(first.outputs).toEqual({
      firmware_image_id: stored?.id,
      datafile_url: stored?.datafile,
      short_datafile_url: stored?.short_datafile,
      datafile_checksum: workspace.sha256,
      datafile_size: String(workspace.image.length),
      upload_job_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'widget-e2e',
      outcome: 'uploaded',
    });
    expect((await emulator.state.imageBytes(stored!.id)).equals(workspace.image)).toBe(true);
    expect(emulator.violations()).toEqual([]);
    expect(first.summary).toContain('## ✅ Firmware image uploaded');
    expect(first.summary).toContain(workspace.sha256);
    expectKeyNowhere(first, API_KEY);

    const second = await run({ inputs: inputs('widget-e2e') });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      outcome: 'reused',
      firmware_image_id: stored?.id,
      datafile_checksum: workspace.sha256,
    });
    expect(emulator.state.firmwareImages().filter((i) => i.name === 'widget-e2e')).toHaveLength(1);
  });

  it('stops on SIGINT mid-upload, says how to resume, and a re-run resumes to the exact bytes', async () => {
    const appendsBefore = emulator.callCount('append-chunk');
    // The second chunk never gets an answer: the run is cancelled while it is in flight.
    emulator.faults.add({ operation: 'append-chunk', nth: appendsBefore + 2, fault: { type: 'hang' } });
    const running = await start({ inputs: inputs('widget-cancel') });
    while (emulator.callCount('append-chunk') < appendsBefore + 2 && running.child.exitCode === null) {
      await delay(20);
    }
    running.child.kill('SIGINT');
    const cancelled = await running.result;
    emulator.faults.clear();

    expect(cancelled.exitCode).toBe(1);
    expect(cancelled.stdout).toMatch(/cancelled \(SIGINT\): upload job [0-9a-f]{32} holds 1 of 3 chunks/);
    expect(cancelled.stdout).toMatch(
      /^::error::upload cancelled: upload job [0-9a-f]{32} holds 1 of 3 chunks; run again/m,
    );
    expect(cancelled.outputs).toEqual({});
    expectKeyNowhere(cancelled, API_KEY);

    const resumed = await run({ inputs: inputs('widget-cancel') });
    expect(resumed.exitCode).toBe(0);
    expect(resumed.outputs.outcome).toBe('resumed');
    const stored = emulator.state.firmwareImages().find((i) => i.name === 'widget-cancel');
    expect((await emulator.state.imageBytes(stored!.id)).equals(workspace.image)).toBe(true);
  });

  it('takes the key and the host from MBED_CLOUD_SDK_API_KEY and MBED_CLOUD_SDK_HOST when the inputs are empty', async () => {
    const { 'api-key': _key, 'api-host': _host, ...rest } = inputs('widget-env');
    const fromEnv = await run({
      inputs: rest,
      env: { MBED_CLOUD_SDK_API_KEY: API_KEY, MBED_CLOUD_SDK_HOST: emulator.url },
    });
    expect(fromEnv.exitCode).toBe(0);
    expect(fromEnv.outputs).toMatchObject({
      name: 'widget-env',
      outcome: 'uploaded',
      datafile_checksum: workspace.sha256,
    });
    expectKeyNowhere(fromEnv, API_KEY);
  });

  it('fails a bad input with one error line naming it, and exit code 1', async () => {
    const bad = await run({ inputs: { ...inputs('widget-bad'), 'on-conflict': 'overwrite' } });
    expect(bad.exitCode).toBe(1);
    const errors = errorLines(bad);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('`on-conflict`');
    expect(bad.stdout).not.toMatch(/\n\s+at /);
  });
});

describe('parseGithubOutput', () => {
  it('reads heredoc blocks, including multi-line values, and plain lines', () => {
    const text = 'a<<ghadelimiter_1\none\nghadelimiter_1\nb<<EOF\nline 1\nline 2\nEOF\nc=3\n';
    expect(parseGithubOutput(text)).toEqual({ a: 'one', b: 'line 1\nline 2', c: '3' });
  });
});
