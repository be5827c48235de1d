// For the tests that run the bundled action (dist/index.js) as a Node 24 child process, as a runner does
// (scripts/lib/run-action.ts): a workspace with an image, the inputs, and the secret check.
import { expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ActionRunResult } from '../../scripts/lib/run-action.js';
import { seededBytes } from '../../scripts/lib/prng.js';

export const ACTION_API_KEY = 'ak_reliability_action_5ecret_0123456789';

export interface Workspace {
  dir: string;
  image: Buffer;
  sha256: string;
  remove(): Promise<void>;
}

/** A workspace holding `firmware.bin` of `size` bytes (the action's chunks are 5 MiB at least). */
export async function workspaceWithImage(size: number, seed: number): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'reliability-workspace-'));
  const image = seededBytes(size, seed);
  await writeFile(join(dir, 'firmware.bin'), image);
  return {
    dir,
    image,
    sha256: createHash('sha256').update(image).digest('hex'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Every input, as the runner passes them (action.yml defaults for those a workflow leaves out). */
export function actionInputs(apiHost: string, name: string, overrides: Record<string, string> = {}) {
  return {
    'api-key': ACTION_API_KEY,
    'api-host': apiHost,
    'image-path': 'firmware.bin',
    name,
    description: '',
    'chunk-size': '5MiB',
    'on-conflict': 'reuse',
    retries: '3',
    'request-timeout': '60',
    'dry-run': 'false',
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
