// What a test file (or one describe) starts in beforeAll and ends in afterAll: the emulator, a workspace
// holding an image, the uploader harness, the loopback server. Each is handed out at once, as a view onto the thing beforeAll
// starts, so a file writes `const emulator = emulatorForSuite(…)` instead of a `let` and two hooks.
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';
import { startLoopback, type Loopback } from './loopback.js';
import { RIG_OPTIONS, type Rig } from './rig.js';

/** Starts a thing in beforeAll, ends it in afterAll; the getter throws if a test reads it before. */
export function forSuite<T>(what: string, start: () => Promise<T>, end: (it: T) => Promise<void>): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started !== undefined) await end(started);
  });
  return () => {
    if (started === undefined) throw new Error(`${what} is started in beforeAll: read it inside a test`);
    return started;
  };
}

/**
 * An object whose every property reads through to `target()` when it is read (a method is bound to it).
 * `keys` names them all: a member added to T and left out here fails to compile.
 */
function readThrough<T extends object>(target: () => T, keys: Record<keyof T, true>): T {
  const view = {} as T;
  for (const key of Object.keys(keys) as (keyof T)[]) {
    Object.defineProperty(view, key, {
      enumerable: true,
      get: () => {
        const value = target()[key];
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target())
          : value;
      },
    });
  }
  return view;
}

/**
 * The emulator started in beforeAll (stopped in afterAll), as an Emulator a test can hold from the start.
 * `options` may be a function, read in beforeAll: for options made by an earlier hook (certificates).
 */
export function emulatorForSuite(options: EmulatorOptions | (() => EmulatorOptions)): Emulator {
  const emulator = forSuite(
    'the emulator',
    () => startEmulator(typeof options === 'function' ? options() : options),
    (e) => e.stop(),
  );
  return readThrough(emulator, {
    url: true,
    port: true,
    faults: true,
    events: true,
    state: true,
    violations: true,
    callCount: true,
    setShaping: true,
    stop: true,
  });
}

export interface Workspace {
  dir: string;
  /** The image file in `dir`. */
  imagePath: string;
  /** The image's bytes, and their SHA-256 in hex. */
  image: Buffer;
  sha256: string;
}

export interface WorkspaceOptions {
  /** The image's size and the seed of its bytes (seededBytes: a failure replays). */
  size: number;
  seed: number;
  /** Its name in the workspace (default `firmware.bin`). */
  fileName?: string;
  /** Temp folder prefix. */
  label?: string;
}

/** A temp folder holding one image, made in beforeAll and removed in afterAll. */
export function workspaceForSuite(options: WorkspaceOptions): Workspace {
  const workspace = forSuite(
    'the workspace',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), `${options.label ?? 'workspace'}-`));
      const imagePath = join(dir, options.fileName ?? 'firmware.bin');
      const image = seededBytes(options.size, options.seed);
      await writeFile(imagePath, image);
      return { dir, imagePath, image, sha256: createHash('sha256').update(image).digest('hex') };
    },
    ({ dir }) => rm(dir, { recursive: true, force: true }),
  );
  return readThrough(workspace, { dir: true, imagePath: true, image: true, sha256: true });
}

export interface HarnessChecks {
  /**
   * Unless set, after each test the emulator saw no broken rule of the API (no second writer, no
   * concurrent append): for the tests that make a second writer on purpose.
   */
  allowViolations?: boolean;
  /** After each test, the faults it added are cleared (before the check above). */
  clearFaults?: boolean;
}

/** The uploader harness for the file's tests (started in beforeAll, closed in afterAll). */
export function harnessForSuite(options: HarnessOptions = {}, checks: HarnessChecks = {}): Harness {
  const harness = forSuite(
    'the harness',
    () => startHarness(options),
    (h) => h.close(),
  );
  afterEach(() => {
    if (checks.clearFaults) harness().emulator.faults.clear();
    if (!checks.allowViolations) expect(harness().emulator.violations()).toEqual([]);
  });
  return readThrough(harness, { emulator: true, image: true, publish: true, close: true });
}

/** The reliability rig (64 KiB chunks) for the file's tests, with the harness's checks. */
export function rigForSuite(checks: HarnessChecks = {}): Rig {
  return harnessForSuite(RIG_OPTIONS, checks);
}

/** The loopback server (support/loopback.ts) for the file's or the describe's tests. */
export function loopbackForSuite(): Loopback {
  const loopback = forSuite('the loopback server', startLoopback, (server) => server.close());
  return readThrough(loopback, { url: true, seen: true, answer: true, raw: true, close: true });
}
