// The fault table shared by the fault tests: the steps of an upload, every fault the emulator can inject,
// and a fresh scenario (name, image, optional unfinished job) per row on one emulator per test file.
import { expect } from '@jest/globals';
import type { Fault, FaultType, Operation } from '../../src/emulator/index.js';
import type { PublishOutcome } from '../../src/uploader/types.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { SMALL_CHUNK, type Rig } from '../support/rig.js';
import { rigForSuite } from '../support/suite.js';

export const RETRIES = 2;
/** Stall timeout for the rows where a request never answers: each costs this much real time. */
export const SHORT_TIMEOUT_MS = 200;

export interface Step {
  label: string;
  operation: Operation;
  /** Which upcoming call of `operation` is hit first (the 2nd append is chunk 2). */
  nth: number;
  /** How the uploader names the request in its log and errors. */
  request: string;
  /** The request changes the service, so a lost answer is reconciled rather than re-sent blindly. */
  mutating: boolean;
  /** Chunks an unfinished job already holds before the run (so that the run resumes). */
  held?: number;
  /** What a re-run without faults does after the fault persisted past the retries. */
  rerun: PublishOutcome;
  /** The run releases its job after the failure with one more call of this operation (update-job). */
  releaseCall?: boolean;
}

// A new name is created without a look-up (create arbitrates), so the look-up steps run on a name an
// unfinished job holds (the create's 409 leads to them), and so does the owner check before completion
// (a job this run created and kept moving needs none: finish.ts, mayHaveBeenTakenOver).
export const STEPS: Step[] = [
  {
    label: 'look-up of images',
    operation: 'list-images',
    nth: 1,
    request: 'list firmware images',
    mutating: false,
    held: 1,
    rerun: 'resumed',
  },
  {
    label: 'look-up of jobs',
    operation: 'list-jobs',
    nth: 1,
    request: 'list upload jobs',
    mutating: false,
    held: 1,
    rerun: 'resumed',
  },
  {
    label: 'resume: list chunks',
    operation: 'list-chunks',
    nth: 1,
    request: 'list chunks of upload job \\w+',
    mutating: false,
    held: 1,
    rerun: 'resumed',
  },
  {
    label: 'create',
    operation: 'create-job',
    nth: 1,
    request: 'create upload job( "[^"]+")?',
    mutating: true,
    rerun: 'uploaded',
  },
  {
    label: 'middle chunk',
    operation: 'append-chunk',
    nth: 2,
    request: 'append chunk 2 of 3',
    mutating: true,
    rerun: 'resumed',
  },
  {
    label: 'last data chunk',
    operation: 'append-chunk',
    nth: 3,
    request: 'append chunk 3 of 3',
    mutating: true,
    rerun: 'resumed',
  },
  {
    label: 'check the chunk list before completion',
    operation: 'list-chunks',
    nth: 1,
    request: 'list chunks of upload job \\w+',
    mutating: false,
    rerun: 'resumed',
  },
  {
    label: 'check the claimed job is still ours',
    operation: 'get-job',
    nth: 2, // the first is the claim's read-back
    request: 'get upload job \\w+',
    mutating: false,
    held: 1,
    rerun: 'resumed',
  },
  {
    label: 'give the job the user description',
    operation: 'update-job',
    nth: 1,
    request: 'update upload job \\w+',
    mutating: false,
    rerun: 'resumed',
    releaseCall: true,
  },
  {
    label: 'completing chunk',
    operation: 'complete-job',
    nth: 1,
    request: 'complete upload job \\w+',
    mutating: true,
    rerun: 'resumed',
  },
  {
    label: 'find the image the job made',
    operation: 'list-images',
    nth: 1,
    request: 'list firmware images',
    mutating: false,
    rerun: 'reused',
  },
];

export interface FaultCase {
  label: string;
  /** A function when the fault must be made at run time (an HTTP date). */
  fault: () => Fault;
  /** The request took effect before the failure (its answer is what is lost). */
  takesEffect: boolean;
  /** The client sees a failure (and retries); false for a merely slow answer. */
  fails: boolean;
  /** A stall: run with the short stall timeout. */
  stalls?: boolean;
  /** At least this long is waited before the retry (on the fake clock). */
  retryAfterMs?: number;
  /** How the failure reads in the log and the error, after "<request> failed: ". */
  detail: string;
}

const status =
  (code: number, extra: Partial<Extract<Fault, { type: 'status' }>> = {}) =>
  () =>
    ({ type: 'status', status: code, ...extra }) as Fault;

export const FAULTS: FaultCase[] = [
  { label: '429', fault: status(429), takesEffect: false, fails: true, detail: '429 Too Many Requests' },
  {
    label: '429 Retry-After: 7',
    fault: status(429, { retryAfter: '7' }),
    takesEffect: false,
    fails: true,
    retryAfterMs: 7000,
    detail: '429 Too Many Requests',
  },
  { label: '500', fault: status(500), takesEffect: false, fails: true, detail: '500 Internal Server Error' },
  {
    label: '502 gateway HTML page',
    fault: status(502, { html: true }),
    takesEffect: false,
    fails: true,
    detail: '502 Bad Gateway \\(non-JSON body\\)',
  },
  { label: '503', fault: status(503), takesEffect: false, fails: true, detail: '503 Service Unavailable' },
  {
    label: '503 Retry-After: HTTP date 40 s ahead',
    fault: () => ({ type: 'status', status: 503, retryAfter: new Date(Date.now() + 40_000).toUTCString() }),
    takesEffect: false,
    fails: true,
    // An HTTP date has whole seconds, and some time passes before the answer: well over 30 s is left.
    retryAfterMs: 30_000,
    detail: '503 Service Unavailable',
  },
  { label: '504', fault: status(504), takesEffect: false, fails: true, detail: '504 Gateway Timeout' },
  { label: '408', fault: status(408), takesEffect: false, fails: true, detail: '408 Request Timeout' },
  {
    label: 'reset before',
    fault: () => ({ type: 'reset-before' }),
    takesEffect: false,
    fails: true,
    detail: 'network error',
  },
  {
    label: 'reset after',
    fault: () => ({ type: 'reset-after' }),
    takesEffect: true,
    fails: true,
    detail: 'network error',
  },
  {
    label: '502 after it took effect',
    fault: () => ({ type: 'status-after', status: 502 }),
    takesEffect: true,
    fails: true,
    detail: '502 Bad Gateway',
  },
  {
    label: 'slow answer (50 ms)',
    fault: () => ({ type: 'delay', ms: 50 }),
    takesEffect: true,
    fails: false,
    detail: '',
  },
  {
    label: 'answer later than the stall timeout',
    fault: () => ({ type: 'delay', ms: 5 * SHORT_TIMEOUT_MS }),
    takesEffect: true,
    fails: true,
    stalls: true,
    detail: 'no bytes moved for 0.2 s \\(stall timeout\\)',
  },
  {
    label: 'hang',
    fault: () => ({ type: 'hang' }),
    takesEffect: false,
    fails: true,
    stalls: true,
    detail: 'no bytes moved for 0.2 s \\(stall timeout\\)',
  },
  // Hostile bodies: read up to the caps (src/client/transport.ts), then the connection is dropped.
  {
    label: 'a 2xx answer of 9 MiB',
    fault: () => ({ type: 'huge-body', bytes: 9 * 1024 * 1024 }),
    takesEffect: true,
    fails: true,
    detail: 'response too large from ',
  },
  {
    label: 'a 2xx answer without end',
    fault: () => ({ type: 'endless-body' }),
    takesEffect: true,
    fails: true,
    detail: 'response too large from ',
  },
  {
    label: 'a 32 MiB 502 gateway page',
    fault: () => ({ type: 'huge-body', bytes: 32 * 1024 * 1024, status: 502 }),
    takesEffect: false,
    fails: true,
    detail: '502 Bad Gateway \\(non-JSON body of over \\d+ bytes, not read further\\)',
  },
];

/** Where a fault the table leaves out is tested instead, and why it is not a row here. */
export interface TestedElsewhere {
  file: string;
  why: string;
}

/**
 * Every fault the emulator knows: `rows` (FAULTS injects it at every step) or where it is tested instead.
 * Keyed by FaultType, so a new fault does not typecheck until it is placed; closed-sets.test.ts checks
 * that the rows and the `elsewhere` files really hold it.
 */
export const FAULT_COVERAGE = {
  status: 'rows',
  'reset-before': 'rows',
  'reset-after': 'rows',
  'status-after': 'rows',
  delay: 'rows',
  hang: 'rows',
  'huge-body': 'rows',
  'endless-body': 'rows',
  'endless-paging': {
    file: '__tests__/client/hostile.test.ts',
    why: 'acts on list operations only: the client bounds the pages it follows (one clear error)',
  },
  mangle: {
    file: '__tests__/client/hostile.test.ts',
    why: 'a malformed answer is refused per field by validation; which field matters depends on the step',
  },
  'foreign-writer': {
    file: '__tests__/reliability/foreign-writer.test.ts',
    why: 'a second writer on the job is to be detected and stopped, not a transient failure to ride out',
  },
} satisfies FaultCoverage;

export type FaultCoverage = Record<FaultType, 'rows' | TestedElsewhere>;

const IMAGE_SIZE = 2 * SMALL_CHUNK + 1000; // three chunks, the last one short

/** One emulator for the test file (hooks registered by the caller's module). */
export function useRig(): () => Rig {
  const rig = rigForSuite();
  return () => rig;
}

let scenarios = 0;

/** A fresh name and image, an unfinished job holding `held` chunks if asked; events count from here. */
export async function scenario(rig: Rig, held = 0) {
  const n = ++scenarios;
  const name = `fault-table-${n}`;
  const data = seededBytes(IMAGE_SIZE, n);
  const firstEvent = rig.emulator.events.length;
  if (held > 0) {
    await rig.emulator.state.seedUploadJob({
      name,
      chunks: Array.from({ length: held }, (_, i) => data.subarray(i * SMALL_CHUNK, (i + 1) * SMALL_CHUNK)),
    });
  }
  const imagePath = await rig.image(data);
  return {
    name,
    data,
    imagePath,
    events: () => rig.emulator.events.slice(firstEvent),
    faultsInjected: (operation: Operation) =>
      rig.emulator.events
        .slice(firstEvent)
        .filter((e) => e.type === 'fault-injected' && e.operation === operation).length,
  };
}

export async function expectByteExact(rig: Rig, imageId: string | undefined, data: Buffer) {
  expect(imageId).toBeDefined();
  expect((await rig.emulator.state.imageBytes(imageId!)).equals(data)).toBe(true);
}

/** Every (step, fault) pair. */
export const ROWS = STEPS.flatMap((step) =>
  FAULTS.map((fault) => [`${step.label}: ${fault.label}`, step, fault] as const),
);
