// The same injection attempts against the bundled action (dist/index.js) as a runner starts it, and the
// bundled CLI: stdout and stderr as the runner reads them. dist/ is bundled first when stale (ensureFreshDist).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACTION_API_KEY, actionInputs, bundledSuite, expectKeyNowhere } from '../support/bundled-action.js';
import { startBundledCli } from '../support/cli.js';
import { MiB } from '../../src/common/bytes.js';
import {
  answerCreateWithPayload,
  expectNoInjectedCommand,
  PAYLOAD,
  PAYLOAD_FILE_NAME,
} from '../support/workflow-commands.js';

const suite = bundledSuite({ image: { size: 5 * MiB + 5, seed: 41 }, env: { RUNNER_DEBUG: '1' } });
const { emulator, workspace } = suite;
beforeAll(() => writeFile(join(workspace.dir, PAYLOAD_FILE_NAME), workspace.image));

async function action(inputs: Record<string, string>) {
  const result = await suite.run({ inputs: actionInputs(emulator.url, '', { retries: '1', ...inputs }) });
  expectNoInjectedCommand(result.stdout);
  expectNoInjectedCommand(result.stderr);
  expectKeyNowhere(result);
  return result;
}

describe('the bundled action', () => {
  it('a file name holding the payload, default name: published, nothing injected', async () => {
    const result = await action({ 'image-path': PAYLOAD_FILE_NAME });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.outcome).toBe('uploaded');
  });

  it('inputs holding the payload: one clear error each, nothing injected', async () => {
    for (const [input, value] of [
      ['name', `fw${PAYLOAD}`],
      ['api-host', `https://h${PAYLOAD}`],
      ['image-path', `nope${PAYLOAD}`],
    ]) {
      const result = await action({ 'image-path': PAYLOAD_FILE_NAME, [input!]: value! });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^::error::Input \`${input}\``, 'm'));
    }
  });

  it('service error messages and a job id holding the payload', async () => {
    answerCreateWithPayload(emulator, { type: 'mangle', set: { id: `j${PAYLOAD}` } });
    const result = await action({ 'image-path': 'firmware.bin', name: 'bundled-service-payload' });
    emulator.faults.clear();
    expect(result.exitCode).toBe(1);
  });
});

describe('the bundled CLI', () => {
  it('a file name and service messages holding the payload: nothing injected on stdout or stderr', async () => {
    emulator.faults.load([
      {
        operation: 'list-images',
        nth: emulator.callCount('list-images') + 1,
        fault: { type: 'status', status: 503, message: PAYLOAD },
      },
    ]);
    const { code, stdout, stderr } = await startBundledCli(
      [
        'publish',
        '--image',
        PAYLOAD_FILE_NAME,
        '--api-host',
        emulator.url,
        '--chunk-size',
        '5MiB',
        '--verbose',
      ],
      { cwd: workspace.dir, apiKey: ACTION_API_KEY },
    ).result;
    emulator.faults.clear();
    expect(code).toBe(0);
    expect(stderr).toMatch(/retrying list firmware images/);
    expectNoInjectedCommand(stdout);
    expectNoInjectedCommand(stderr);
    expect(stdout + stderr).not.toContain(ACTION_API_KEY);
  });
});
