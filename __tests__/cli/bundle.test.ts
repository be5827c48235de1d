// The bundled CLI (dist/cli/index.js, what the package's `bin` points at) run as a child process, as a
// user's shell or CI job runs it. dist/ is bundled first when stale.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { bundledSuite } from '../support/bundled-action.js';
import { CLI_BUNDLE, publishArgs, startBundledCli } from '../support/cli.js';

const KEY = 'ak_bundle_test_secret_42';
const { emulator, workspace } = bundledSuite({
  emulator: { apiKey: KEY },
  image: { size: 5 * 1024 * 1024 + 99, seed: 99, fileName: 'fw.bin', label: 'cli-bundle' },
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Runs the bundled CLI in the workspace; `onStderr` sees the text so far. */
const runBundled = (args: string[], onStderr?: Parameters<typeof startBundledCli>[1]['onStderr']) =>
  startBundledCli(args, { cwd: workspace.dir, apiKey: KEY, onStderr }).result;

// A glob, so @actions/glob runs and its ::debug:: lines must be kept off stdout.
const publishGlob = (name: string) => publishArgs('f*.bin', name, emulator.url);

describe('bundled CLI (dist/cli/index.js)', () => {
  it('is the package bin and keeps its shebang', () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['izuma-firmware-publish']).toBe('dist/cli/index.js');
    expect(readFileSync(CLI_BUNDLE, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'dist/cli/package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
  });

  it('publishes with --json: outputs on stdout, the stored bytes equal the file, and it exits by itself', async () => {
    const run = await runBundled([...publishGlob('bundle-json'), '--json']);
    expect(run.code).toBe(0);
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({
      name: 'bundle-json',
      outcome: 'uploaded',
      datafile_size: String(workspace.image.length),
    });
    // Compared by digest: a deep equality over megabytes of bytes takes jest many seconds.
    expect(sha256(await emulator.state.imageBytes(outputs.firmware_image_id!))).toBe(workspace.sha256);
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });

  it('SIGINT cancels the upload in flight: a message, exit code 1, and the process ends', async () => {
    // Chunk requests never get an answer: only the signal can end this run.
    emulator.faults.add({ operation: 'append-chunk', fault: { type: 'hang' } });
    try {
      let sent = false;
      const run = await runBundled(publishGlob('bundle-sigint'), (text, child) => {
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
