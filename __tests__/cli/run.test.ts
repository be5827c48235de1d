// runCli end to end against the emulator over real HTTP on 127.0.0.1: argv and streams in, exit code out.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runCli, type CliIo } from '../../src/cli/run.js';
import type { Emulator } from '../../src/emulator/index.js';
import { MiB } from '../../src/common/bytes.js';
import { publishArgs } from '../support/cli.js';
import { emulatorForSuite, workspaceForSuite } from '../support/suite.js';

const KEY = 'ak_cli_test_secret_0123456789';
const OUTPUT_NAMES = [
  'datafile_checksum',
  'datafile_size',
  'datafile_url',
  'firmware_image_id',
  'name',
  'outcome',
  'short_datafile_url',
  'upload_job_id',
];

const emulator = emulatorForSuite({ apiKey: KEY });
// Two chunks at the 5 MiB minimum chunk size.
const workspace = workspaceForSuite({ size: 5 * MiB + 4321, seed: 4321, label: 'cli-run' });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with the key in IZUMA_API_KEY unless `env` says otherwise; no process.env leaks in. */
async function cli(
  argv: string[],
  options: Partial<CliIo> & { onStderr?: (all: string) => void } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: { IZUMA_API_KEY: KEY },
    isTTY: false,
    cwd: workspace.dir,
    ...options,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text;
        options.onStderr?.(stderr);
      },
    },
  });
  return { code, stdout, stderr };
}

const publishImage = (name: string, ...more: string[]) =>
  publishArgs(path.join(workspace.dir, 'firmware.bin'), name, emulator.url, ...more);

function expectNoKey(run: Run, key = KEY) {
  expect(run.stdout).not.toContain(key);
  expect(run.stderr).not.toContain(key);
}

// Stored bytes are compared by digest: jest's deep equality over megabytes of bytes takes many seconds.
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('izuma-firmware-publish publish', () => {
  it('uploads, verifies, and prints the outputs as one JSON object on stdout (--json)', async () => {
    const run = await cli(publishImage('cli-json', '--json'));
    expect(run).toMatchObject({ code: 0 });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const outputs = JSON.parse(lines[0]!) as Record<string, string>;
    expect(Object.keys(outputs).sort()).toEqual(OUTPUT_NAMES);
    expect(outputs).toMatchObject({
      name: 'cli-json',
      outcome: 'uploaded',
      datafile_size: String(workspace.image.length),
      datafile_checksum: workspace.sha256,
    });
    expect(sha256(await emulator.state.imageBytes(outputs.firmware_image_id!))).toBe(workspace.sha256);
    expect(run.stderr).toContain('uploaded 100%');
    expectNoKey(run);
  });

  it('reads the key from --api-key-file', async () => {
    const keyFile = path.join(workspace.dir, 'key.txt');
    writeFileSync(keyFile, `${KEY}\n`);
    const run = await cli(publishImage('cli-key-file', '--api-key-file', keyFile, '--json'), { env: {} });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'cli-key-file', outcome: 'uploaded' });
    expectNoKey(run);
  });

  it.each([
    ['a CRLF line end', `${KEY}\r\n`],
    ['a byte-order mark', `\uFEFF${KEY}\n`],
  ])('--api-key-file: a key file with %s is read as the key', async (_, text) => {
    const keyFile = path.join(workspace.dir, `key-${_.replace(/\W/g, '-')}.txt`);
    writeFileSync(keyFile, text);
    const run = await cli(publishImage('cli-key-variants', '--api-key-file', keyFile, '--dry-run'), {
      env: {},
    });
    expect(run.code).toBe(0);
    expectNoKey(run);
  });

  it.each([
    ['empty', (file: string) => writeFileSync(file, ''), /is empty/],
    ['whitespace only', (file: string) => writeFileSync(file, ' \r\n\t\n'), /is empty/],
    ['a directory', (file: string) => mkdirSync(file), /cannot read .*EISDIR/],
    ['two lines', (file: string) => writeFileSync(file, `${KEY}\n${KEY}-second\n`), /not printable ASCII/],
  ])(
    '--api-key-file: a key file that is %s is bad usage (exit 2), and no key is echoed',
    async (_, make, message) => {
      const keyFile = path.join(workspace.dir, `bad-key-${_.replace(/\W/g, '-')}`);
      make(keyFile);
      const run = await cli(publishImage('cli-bad-key', '--api-key-file', keyFile, '--json'), { env: {} });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(JSON.parse(run.stdout)).toMatchObject({ exit_code: 2 });
      expectNoKey(run);
    },
  );

  it('reads the key from MBED_CLOUD_SDK_API_KEY, and the host from MBED_CLOUD_SDK_HOST', async () => {
    const args = publishImage('cli-sdk-env', '--json').filter(
      (a) => a !== '--api-host' && a !== emulator.url,
    );
    const run = await cli(args, { env: { MBED_CLOUD_SDK_API_KEY: KEY, MBED_CLOUD_SDK_HOST: emulator.url } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'cli-sdk-env', outcome: 'uploaded' });
    expectNoKey(run);
  });

  it('prints aligned outputs for people, and draws a progress bar on a terminal', async () => {
    const run = await cli(publishImage('cli-tty'), { isTTY: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^outcome +uploaded$/m);
    expect(run.stdout).toMatch(/^datafile_checksum +[0-9a-f]{64}$/m);
    // Redrawn in place (carriage return + erase line); the finished bar ends its line.
    const screen = run.stderr.replaceAll('\r\x1b[K', '<redraw>');
    expect(screen).toMatch(/<redraw>\[#+-+\] uploaded 99%.*<redraw>\[#{24}\] uploaded 100%[^\n]*\n/);
    expectNoKey(run);
  });

  it('reuses the identical image on a re-run (exit 0)', async () => {
    await cli(publishImage('cli-rerun'));
    const run = await cli(publishImage('cli-rerun', '--json'));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'reused' });
  });

  it('exit 3 on a conflict with --on-conflict fail', async () => {
    await emulator.state.seedFirmwareImage({ name: 'cli-taken', data: Buffer.from('other firmware') });
    const run = await cli(publishImage('cli-taken', '--on-conflict', 'fail', '--json'));
    expect(run.code).toBe(3);
    // --json: the failure as JSON on stdout (and the message on stderr).
    expect(JSON.parse(run.stdout)).toEqual({ error: expect.stringMatching(/cli-taken/), exit_code: 3 });
    expect(run.stderr).toMatch(/^error: .*cli-taken/m);
    expectNoKey(run);
  });

  it('exit 1 when the service refuses the key (401), with a hint in CLI terms and no key echoed', async () => {
    const wrongKey = 'ak_wrong_key_987654321';
    const run = await cli(publishImage('cli-401'), { env: { IZUMA_API_KEY: wrongKey } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*401/m);
    expect(run.stderr).toContain('--api-key-file or IZUMA_API_KEY');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expectNoKey(run, wrongKey);
  });

  it('--dry-run reports the plan and leaves the service untouched', async () => {
    const before = JSON.stringify([emulator.state.uploadJobs(), emulator.state.firmwareImages()]);
    const writes = () =>
      ['create-job', 'append-chunk', 'complete-job', 'delete-job', 'update-job'].map((op) =>
        emulator.callCount(op as Parameters<Emulator['callCount']>[0]),
      );
    const writesBefore = writes();
    const run = await cli(publishImage('cli-dry-run', '--dry-run', '--json'));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      name: 'cli-dry-run',
      outcome: 'dry-run',
      datafile_checksum: workspace.sha256,
      datafile_size: String(workspace.image.length),
    });
    expect(run.stderr).toContain('dry run');
    expect(JSON.stringify([emulator.state.uploadJobs(), emulator.state.firmwareImages()])).toBe(before);
    expect(writes()).toEqual(writesBefore);
  });

  it('is cancelled by its signal mid-upload (exit 1), and the same command resumes', async () => {
    // The second chunk never gets an answer: the run can only end through the abort.
    emulator.faults.add({
      operation: 'append-chunk',
      nth: emulator.callCount('append-chunk') + 2,
      fault: { type: 'hang' },
    });
    const controller = new AbortController();
    const cancelled = await cli(publishImage('cli-cancel'), {
      signal: controller.signal,
      onStderr: (all) => all.includes('uploaded 99%') && controller.abort(new Error('test cancel')),
    });
    emulator.faults.clear();
    expect(cancelled.code).toBe(1);
    expect(cancelled.stderr).toMatch(/^error: cancelled: .*run again/m);

    const resumed = await cli(publishImage('cli-cancel', '--json'));
    expect(resumed.code).toBe(0);
    const outputs = JSON.parse(resumed.stdout) as Record<string, string>;
    expect(outputs.outcome).toBe('resumed');
    expect(sha256(await emulator.state.imageBytes(outputs.firmware_image_id!))).toBe(workspace.sha256);
  });
});

describe('izuma-firmware-publish usage errors (exit 2)', () => {
  it('a bad --chunk-size, named as the option, before any request', async () => {
    const creates = emulator.callCount('create-job');
    const run = await cli(publishImage('cli-bad-size', '--chunk-size', '3MiB'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --chunk-size: '3MiB' is below the 5 MiB minimum/m);
    expect(emulator.callCount('create-job')).toBe(creates);
  });

  it('an unknown option', async () => {
    const run = await cli([...publishImage('cli-unknown'), '--chunks', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--chunks'");
  });

  it("an unknown --option=value is named without its value (it may be a key), also in --json's failure", async () => {
    const run = await cli([...publishImage('cli-unknown-value', '--json'), `--key=${KEY}`], { env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--key=…'");
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: expect.stringContaining("'--key=…'"),
      exit_code: 2,
    });
    expectNoKey(run);
  });

  it('--api-key and its misspellings: refused without echoing the value, saying how to pass the key', async () => {
    const misspelt = ['--api_key', '--apikey', '--API-KEY'].map((flag) => [`${flag}=${KEY}`]);
    for (const args of [['--api-key', KEY], [`--api-key=${KEY}`], ...misspelt]) {
      const run = await cli([...publishImage('cli-flag'), ...args], { env: {} });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--api-key-file');
      expect(run.stderr).toContain('IZUMA_API_KEY');
      expectNoKey(run);
    }
  });

  it('no key anywhere, or an unreadable key file', async () => {
    const none = await cli(publishImage('cli-no-key'), { env: {} });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: no access key: pass --api-key-file/m);
    const missing = await cli(
      publishImage('cli-no-key', '--api-key-file', path.join(workspace.dir, 'absent')),
      {
        env: {},
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --api-key-file: cannot read .*ENOENT/m);
  });

  it('an image path that matches nothing, named as --image', async () => {
    const run = await cli([
      'publish',
      '--image',
      path.join(workspace.dir, 'nope-*.bin'),
      '--api-host',
      emulator.url,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --image: .*matches no file/m);
  });

  it('--help and --version exit 0', async () => {
    const help = await cli(['publish', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(packageJson.version);
  });
});
