// The same injection attempts against the bundled action (dist/index.js) as a runner starts it, and the
// bundled CLI: stdout and stderr as the runner reads them. Run `npm run bundle` first.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { PROJECT_ROOT, runAction, type ActionRunResult } from '../../scripts/lib/run-action.js';
import {
  ACTION_API_KEY,
  actionInputs,
  expectKeyNowhere,
  workspaceWithImage,
  type Workspace,
} from '../reliability/action-helpers.js';
import { MiB } from '../../src/common/bytes.js';
import { expectNoInjectedCommand, PAYLOAD } from '../support/workflow-commands.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';

// This file runs dist/: bundle first when dist/ is not built from src/ as it is (and say so).
beforeAll(() => ensureFreshDist(), 300_000);

const FILE = `fw${PAYLOAD.replace(/\//g, '_')}.bin`;
let workspace: Workspace;
let emulator: Emulator;
const runs: ActionRunResult[] = [];
beforeAll(async () => {
  workspace = await workspaceWithImage(5 * MiB + 5, 41);
  await writeFile(join(workspace.dir, FILE), workspace.image);
  emulator = await startEmulator({ apiKey: ACTION_API_KEY });
});
afterAll(async () => {
  await Promise.all(runs.map((run) => run.cleanup()));
  await emulator.stop();
  await workspace.remove();
});

async function action(inputs: Record<string, string>) {
  const result = await runAction({
    inputs: actionInputs(emulator.url, '', { retries: '1', ...inputs }),
    env: { RUNNER_DEBUG: '1' },
    cwd: workspace.dir,
  });
  runs.push(result);
  expectNoInjectedCommand(result.stdout);
  expectNoInjectedCommand(result.stderr);
  expectKeyNowhere(result);
  return result;
}

describe('the bundled action', () => {
  it('a file name holding the payload, default name: published, nothing injected', async () => {
    const result = await action({ 'image-path': FILE });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.outcome).toBe('uploaded');
  });

  it('inputs holding the payload: one clear error each, nothing injected', async () => {
    for (const [input, value] of [
      ['name', `fw${PAYLOAD}`],
      ['api-host', `https://h${PAYLOAD}`],
      ['image-path', `nope${PAYLOAD}`],
    ]) {
      const result = await action({ 'image-path': FILE, [input!]: value! });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^::error::Input \`${input}\``, 'm'));
    }
  });

  it('service error messages and a job id holding the payload', async () => {
    emulator.faults.load([
      {
        operation: 'create-job',
        nth: emulator.callCount('create-job') + 1,
        fault: { type: 'status', status: 503, message: PAYLOAD },
      },
      {
        operation: 'create-job',
        nth: emulator.callCount('create-job') + 2,
        fault: { type: 'mangle', set: { id: `j${PAYLOAD}` } },
      },
    ]);
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
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'dist/cli/index.js'),
        'publish',
        '--image',
        FILE,
        '--api-host',
        emulator.url,
        '--chunk-size',
        '5MiB',
        '--verbose',
      ],
      { cwd: workspace.dir, env: { PATH: process.env.PATH, IZUMA_API_KEY: ACTION_API_KEY } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    emulator.faults.clear();
    expect(code).toBe(0);
    expect(stderr).toMatch(/retrying list firmware images/);
    expectNoInjectedCommand(stdout);
    expectNoInjectedCommand(stderr);
    expect(stdout + stderr).not.toContain(ACTION_API_KEY);
  });
});
