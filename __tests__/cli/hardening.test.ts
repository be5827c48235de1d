// The CLI's side of the hardening: nothing from a user or the service starts a CI command or a terminal
// escape on its stdout or stderr; exit code 3 for a conflict under any policy; `--json` failures as JSON.
import { afterEach, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run.js';
import {
  answerCreateWithPayload,
  expectNoInjectedCommand,
  PAYLOAD,
  payloadFileSuite,
} from '../support/workflow-commands.js';

const KEY = 'ak_cli_hardening_5ecret_0123456789';
const { emulator, workspace } = payloadFileSuite(KEY, 5 * 1024 * 1024 + 11, 31);
afterEach(() => emulator.faults.clear());

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    ['publish', '--api-host', emulator.url, '--chunk-size', '5MiB', '--retries', '1', ...args],
    {
      env: { IZUMA_API_KEY: KEY },
      isTTY: false,
      cwd: workspace.dir,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    },
  );
  // A CLI run in a CI step has both streams read by the runner.
  expectNoInjectedCommand(stdout);
  expectNoInjectedCommand(stderr);
  expect(stdout + stderr).not.toContain(KEY);
  return { code, stdout, stderr };
}

describe('injection', () => {
  it('a file name holding the payload: published; the path is shown neutralised on stderr', async () => {
    const run = await cli('--image', workspace.imagePath, '--name', 'cli-injection-file', '--verbose');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('x\\n::error title=pwned::lf');
  });

  it('a name holding the payload is refused (exit 2), naming --name', async () => {
    const run = await cli('--image', workspace.imagePath, '--name', `fw${PAYLOAD}`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --name: holds U\+000A/m);
  });

  it('service error messages and ids holding the payload, with --verbose (debug lines and the stack)', async () => {
    answerCreateWithPayload(emulator, { type: 'status', status: 400, message: PAYLOAD });
    expect(
      (await cli('--image', workspace.imagePath, '--name', 'cli-injection-errors', '--verbose')).code,
    ).toBe(1);
    emulator.faults.load([
      { operation: 'create-job', fault: { type: 'mangle', set: { id: `job${PAYLOAD}` } } },
    ]);
    expect(
      (await cli('--image', workspace.imagePath, '--name', 'cli-injection-ids', '--verbose', '--json')).code,
    ).toBe(1);
  });

  it('an output value from the service holding the payload (the firmware image id)', async () => {
    emulator.faults.load([
      { operation: 'list-images', fault: { type: 'mangle', set: { datafile: `https://x/${PAYLOAD}` } } },
    ]);
    const run = await cli('--image', workspace.imagePath, '--name', 'cli-injection-output');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^datafile_url +https:\/\/x\/x\\n::error/m);
  });
});

describe('exit codes and --json failures', () => {
  it('a conflict under the default reuse policy (an image of the name with other content) is exit 3, as documented', async () => {
    await emulator.state.seedFirmwareImage({ name: 'cli-conflict-reuse', data: Buffer.from('other') });
    const run = await cli('--image', workspace.imagePath, '--name', 'cli-conflict-reuse', '--json');
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({
      error: expect.stringMatching(/already exists .*different content/),
      exit_code: 3,
    });
  });

  it('--json: a service failure prints {"error", "exit_code"} on stdout, and the message on stderr', async () => {
    emulator.faults.load([{ operation: 'create-job', fault: { type: 'status', status: 401 } }]);
    const run = await cli('--image', workspace.imagePath, '--name', 'cli-json-failure', '--json');
    expect(run.code).toBe(1);
    const failure = JSON.parse(run.stdout) as { error: string; exit_code: number };
    expect(failure).toEqual({ error: expect.stringMatching(/401 Unauthorized/), exit_code: 1 });
    expect(run.stderr).toContain(`error: ${failure.error}`);
  });

  it('--json: bad usage (an invalid value, or an unknown option) is exit 2 with the JSON failure too', async () => {
    const bad = await cli('--image', workspace.imagePath, '--chunk-size', '1KiB', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ error: expect.stringMatching(/--chunk-size/), exit_code: 2 });
    const unknown = await cli('--image', workspace.imagePath, '--no-such-option', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: expect.stringMatching(/unknown option/),
      exit_code: 2,
    });
  });

  it('a key with a non-ASCII character is bad usage naming the key, not "no access key"', async () => {
    let stderr = '';
    const code = await runCli(['publish', '--image', workspace.imagePath, '--api-host', emulator.url], {
      env: { IZUMA_API_KEY: 'ak_caf\u00e9' },
      isTTY: false,
      cwd: workspace.dir,
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^error: --api-key-file \(or IZUMA_API_KEY\): holds a character that is not printable ASCII/,
    );
    expect(stderr).not.toMatch(/no access key/);
  });
});
