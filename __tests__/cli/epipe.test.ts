// The bundled CLI (dist/cli/index.js) writing into a pipe whose reader went away: `--help | head -1`,
// a closed stdout, a closed stderr in the middle of an upload. It must end quietly (no stack trace,
// no unhandled 'error' event) with the exit code it would have had; an upload it was running is
// cancelled like a SIGINT and a re-run resumes it. dist/ is bundled first when stale.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { MiB } from '../../src/common/bytes.js';
import { bundledSuite } from '../support/bundled-action.js';
import { CLI_BUNDLE as BIN, publishArgs, startBundledCli, type CliRun } from '../support/cli.js';

const KEY = 'ak_epipe_test_secret_7';
const CHUNKS = 4;
const { emulator, workspace } = bundledSuite({
  emulator: { apiKey: KEY },
  // four chunks of 5 MiB, the last one 11 bytes
  image: { size: 3 * 5 * MiB + 11, seed: 0x5eed, fileName: 'fw.bin', label: 'cli-epipe' },
});

/**
 * Starts the bundled CLI (its stdout and stderr are socket pairs, as Node makes them; the shell test
 * covers a real pipe); `close` says which of its output pipes this side closes, and when: at once
 * (before the CLI has written anything) or once `when` matches the stderr read so far.
 */
function runBundled(args: string[], close?: { stream: 'stdout' | 'stderr'; when?: RegExp }): Promise<CliRun> {
  const { child, result } = startBundledCli(args, {
    cwd: workspace.dir,
    apiKey: KEY,
    onStderr: (soFar, running) => {
      if (close?.when?.test(soFar) && !running[close.stream]!.destroyed) running[close.stream]!.destroy();
    },
  });
  if (close && !close.when) child[close.stream].destroy();
  return result;
}

const publishFile = (name: string) => publishArgs('fw.bin', name, emulator.url);

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
    const run = await runBundled([...publishFile('epipe-stdout'), '--json'], { stream: 'stdout' });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at |^error/m);
    const stored = emulator.state.firmwareImages().find((img) => img.name === 'epipe-stdout');
    expect((await emulator.state.imageBytes(stored!.id)).equals(workspace.image)).toBe(true);
  });

  it('stderr (progress) closing mid-upload cancels it like SIGINT: exit 1, job kept, a re-run resumes it', async () => {
    // Slow enough that chunks are still to go when the next progress line meets the closed pipe.
    emulator.setShaping({ bandwidthBytesPerSec: 20 * MiB });
    let first: CliRun;
    try {
      first = await runBundled(publishFile('epipe-stderr'), { stream: 'stderr', when: /created upload job/ });
    } finally {
      emulator.setShaping(undefined);
    }
    expect(first).toMatchObject({ code: 1, signal: null, stdout: '' });
    const job = emulator.state.uploadJobs().find((j) => j.name === 'epipe-stderr');
    expect(job).toBeDefined();
    expect(job!.status).not.toBe('completed');
    const held = emulator.state.chunks(job!.id).length;
    expect(held).toBeLessThan(CHUNKS);

    const again = await runBundled([...publishFile('epipe-stderr'), '--json']);
    expect(again.code).toBe(0);
    const outputs = JSON.parse(again.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({ outcome: 'resumed', upload_job_id: job!.id });
    expect((await emulator.state.imageBytes(outputs.firmware_image_id!)).equals(workspace.image)).toBe(true);
    expect(emulator.violations()).toEqual([]);
  });
});
