// For the tests that run the bundled action (dist/index.js) as a Node 24 child process, as a runner does
// (scripts/lib/run-action.ts): one setup (a fresh dist/, the emulator, a workspace with an image, the
// runner files of every run removed afterwards), the inputs, and the secret check.
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { INPUTS } from '../../src/inputs/index.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';
import {
  startAction,
  type ActionRunOptions,
  type ActionRunResult,
  type RunningAction,
} from '../../scripts/lib/run-action.js';
import { emulatorForSuite, workspaceForSuite, type Workspace, type WorkspaceOptions } from './suite.js';

export const ACTION_API_KEY = 'ak_reliability_action_5ecret_0123456789';

export interface BundledSuiteOptions {
  /** The image in the workspace. */
  image: WorkspaceOptions;
  /** The emulator's options (its key is ACTION_API_KEY unless they name one). */
  emulator?: EmulatorOptions;
  /** Environment every run of the action gets, under what a run's own options add. */
  env?: Record<string, string>;
}

export interface BundledSuite {
  emulator: Emulator;
  workspace: Workspace;
  /** Starts the bundled action in the workspace; its runner files are removed after the file's tests. */
  start(options: Omit<ActionRunOptions, 'cwd'>): Promise<RunningAction>;
  /** The same, to its end. */
  run(options: Omit<ActionRunOptions, 'cwd'>): Promise<ActionRunResult>;
}

/**
 * The setup of a test file that runs what dist/ holds: dist/ bundled first when it is not built from src/
 * as it is (and saying so), an emulator and a workspace for the file's tests, and each run's runner files
 * cleaned up after them.
 */
export function bundledSuite(options: BundledSuiteOptions): BundledSuite {
  beforeAll(() => ensureFreshDist(), 300_000);
  const emulator = emulatorForSuite({ apiKey: ACTION_API_KEY, ...options.emulator });
  const workspace = workspaceForSuite({ label: 'bundled-workspace', ...options.image });
  // No run of the action, alone or beside another, broke a rule of the API (second writer, concurrent append).
  afterEach(() => expect(emulator.violations()).toEqual([]));
  const runs: Promise<ActionRunResult>[] = [];
  afterAll(async () => {
    for (const result of await Promise.allSettled(runs)) {
      if (result.status === 'fulfilled') await result.value.cleanup();
    }
  });
  const start = async (run: Omit<ActionRunOptions, 'cwd'>) => {
    const running = await startAction({
      ...run,
      env: { ...options.env, ...run.env },
      cwd: workspace.dir,
    });
    runs.push(running.result);
    return running;
  };
  return { emulator, workspace, start, run: async (run) => (await start(run)).result };
}

/**
 * Every input, as the runner passes them: action.yml's defaults (the input spec's, which docs --check holds
 * equal) for those a workflow leaves out, then the tests' own: small chunks, fewer retries, a shorter timeout.
 */
export function actionInputs(apiHost: string, name: string, overrides: Record<string, string> = {}) {
  const defaults = Object.fromEntries(INPUTS.publish.map((spec) => [spec.name, spec.default ?? '']));
  return {
    ...defaults,
    'api-key': ACTION_API_KEY,
    'api-host': apiHost,
    'image-path': 'firmware.bin',
    name,
    'chunk-size': '5MiB',
    retries: '3',
    'request-timeout': '60',
    ...overrides,
  };
}

/** The key shows up only in the `::add-mask::` command that hides it: not in any other line or file. */
export function expectKeyNowhere(run: ActionRunResult, key = ACTION_API_KEY) {
  const lines = run.stdout.split('\n');
  expect(lines[0]).toBe(`::add-mask::${key}`);
  const everythingElse = [...lines.slice(1), run.stderr, run.summary, JSON.stringify(run.outputs)];
  for (const text of everythingElse) expect(text).not.toContain(key);
}

/** The `::error::` lines of a run. */
export function errorLines(run: ActionRunResult): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
}

/** Polls `condition` (bounded: the test's own timeout would otherwise be the only limit). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited >= timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}
