// Chaos: seeded random fault plans over many small uploads, each checked against the invariants, and each
// failed run followed by a re-run without faults that must complete byte-exact. Every third seed runs two
// uploads under one name at once (same or other bytes, the second started at a seeded chunk, seeded
// answer delays). One implementation for the jest test (a few dozen runs) and `npm run chaos` (hundreds
// on demand). A run replays from its seed.
import type { Fault, FaultRule, FaultType, Operation } from '../../src/emulator/index.js';
import { ConflictError } from '../../src/uploader/errors.js';
import type { PublishResult } from '../../src/uploader/types.js';
import { scaledClock } from './harness.js';
import { pick, randomInt, seededBytes, seededRandom, type Random } from '../../scripts/lib/prng.js';
import { checkInvariants, localChunks, SMALL_CHUNK, startRig, type Rig } from './rig.js';

/** Stall timeout of chaos runs: a hang costs this much real time, a normal request takes a few ms. */
const STALL_TIMEOUT_MS = 400;
const RETRIES = 3;

const FAULTED_OPERATIONS: Operation[] = [
  'list-images',
  'list-jobs',
  'create-job',
  'list-chunks',
  'append-chunk',
  'append-chunk',
  'append-chunk',
  'complete-job',
  'get-job',
  'get-image',
];

export interface ChaosRunReport {
  seed: number;
  /** Two runs under one name at once; `outcomes` says how each ended (e.g. 'uploaded + reused'). */
  concurrent?: { sameBytes: boolean; startAfter: number; outcomes: string };
  plan: FaultRule[];
  /** The first run succeeded despite the faults. */
  firstTry: boolean;
  /** Why the first run failed (its error message), when it did. */
  error?: string;
  retries: number;
  /** Broken invariants: empty when the run passed. */
  problems: string[];
}

export interface ChaosTally {
  runs: number;
  /** Of `runs`, those with two uploads at once. */
  concurrent: number;
  firstTry: number;
  recovered: number;
  faultRules: number;
  retries: number;
  failures: ChaosRunReport[];
}

/**
 * The faults randomFault() draws, and why it leaves the others out: keyed by FaultType, so a new fault
 * does not typecheck until it is placed here (closed-sets.test.ts checks the draws against this).
 */
export const CHAOS_FAULTS = {
  status: 'drawn',
  'reset-before': 'drawn',
  'reset-after': 'drawn',
  'status-after': 'drawn',
  delay: 'drawn',
  hang: 'drawn',
  'huge-body': 'not drawn: megabytes per hit, for hundreds of runs; the fault table covers it',
  'endless-body': 'not drawn: megabytes per hit, for hundreds of runs; the fault table covers it',
  'endless-paging': 'not drawn: list operations only; hostile.test.ts covers it',
  mangle: 'not drawn: a malformed answer fails the run by design; hostile.test.ts covers it',
  'foreign-writer': 'not drawn: the concurrent chaos runs are real second writers',
} satisfies Record<FaultType, 'drawn' | `not drawn: ${string}`>;

export function randomFault(random: Random): Fault {
  switch (randomInt(random, 0, 9)) {
    case 0:
    case 1:
    case 2: {
      const status = pick(random, [408, 429, 500, 502, 503, 504]);
      const retryAfter = random() < 0.3 ? String(randomInt(random, 0, 120)) : undefined;
      return { type: 'status', status, retryAfter, html: status === 502 && random() < 0.5 };
    }
    case 3:
      return { type: 'reset-before' };
    case 4:
    case 5:
      return { type: 'reset-after' };
    case 6:
      return { type: 'status-after', status: pick(random, [500, 502, 503, 504]) };
    case 7:
      return { type: 'delay', ms: randomInt(random, 0, 30) };
    case 8:
      return random() < 0.5 ? { type: 'delay', ms: 2 * STALL_TIMEOUT_MS } : { type: 'hang' };
    default:
      return { type: 'status', status: 503 };
  }
}

/** 1–4 rules, each on some of the next calls of an operation; now and then one on every call. */
function randomPlan(random: Random, rig: Rig): FaultRule[] {
  return Array.from({ length: randomInt(random, 1, 4) }, () => {
    const operation = pick(random, FAULTED_OPERATIONS);
    const next = rig.emulator.callCount(operation) + 1;
    const fault = randomFault(random);
    if (random() < 0.15) return { operation, fault };
    const calls = Array.from({ length: randomInt(random, 1, 3) }, () => next + randomInt(random, 0, 4));
    return { operation, nth: [...new Set(calls)], fault };
  });
}

/** One chaos run from `seed`: a new name, a 1–4 chunk image, maybe an unfinished job to resume. */
export async function chaosRun(rig: Rig, seed: number): Promise<ChaosRunReport> {
  const random = seededRandom(seed);
  const name = `chaos-${seed}`;
  const chunkCount = randomInt(random, 1, 4);
  const data = seededBytes((chunkCount - 1) * SMALL_CHUNK + randomInt(random, 1, SMALL_CHUNK), seed);
  const firstEvent = rig.emulator.events.length;
  const held = random() < 0.25 ? randomInt(random, 0, chunkCount) : -1;
  if (held >= 0) {
    const chunks = Array.from({ length: held }, (_, i) =>
      data.subarray(i * SMALL_CHUNK, (i + 1) * SMALL_CHUNK),
    );
    await rig.emulator.state.seedUploadJob({ name, chunks });
  }
  const imagePath = await rig.image(data);
  const plan = randomPlan(random, rig);
  rig.emulator.faults.load(plan);
  const request = { imagePath, name, maxRetries: RETRIES };
  // Jitter from its own sequence, so the plan stays the seed's whatever the retries draw.
  const jitter = seededRandom(seed ^ 0x5bd1e995);
  const options = { requestTimeoutMs: STALL_TIMEOUT_MS, random: jitter };
  const report: ChaosRunReport = { seed, plan, firstTry: false, retries: 0, problems: [] };
  try {
    const result = await rig.publish(request, options);
    report.firstTry = true;
    report.retries = result.retryCount;
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
    if (!(error instanceof Error) || error.message.includes('\n')) {
      report.problems.push(`the failure is not one clear line: ${String(error)}`);
    }
  } finally {
    rig.emulator.faults.clear();
  }
  const events = () => rig.emulator.events.slice(firstEvent);
  report.problems.push(...(await checkInvariants(rig, name, data, events())));
  if (!report.firstTry) {
    try {
      await rig.publish(request, { random: jitter });
    } catch (error) {
      report.problems.push(`the re-run without faults failed: ${(error as Error).message}`);
    }
    report.problems.push(...(await checkInvariants(rig, name, data, events())));
  }
  if (rig.emulator.state.firmwareImages().filter((image) => image.name === name).length !== 1) {
    report.problems.push('no firmware image (or more than one) under the name after the runs');
  }
  return report;
}

/** `runs` runs from `seed`, `seed + 1`, …; `onRun` sees each report as it ends. */
export async function runChaos(opts: {
  runs: number;
  seed: number;
  onRun?: (report: ChaosRunReport, index: number) => void;
}): Promise<ChaosTally> {
  const rig = await startRig();
  const tally: ChaosTally = {
    runs: 0,
    concurrent: 0,
    firstTry: 0,
    recovered: 0,
    faultRules: 0,
    retries: 0,
    failures: [],
  };
  try {
    for (let i = 0; i < opts.runs; i++) {
      const seed = opts.seed + i;
      const report = seed % 3 === 0 ? await concurrentChaosRun(rig, seed) : await chaosRun(rig, seed);
      tally.runs++;
      if (report.concurrent) tally.concurrent++;
      tally.faultRules += report.plan.length;
      tally.retries += report.retries;
      if (report.problems.length > 0) tally.failures.push(report);
      else if (report.firstTry) tally.firstTry++;
      else tally.recovered++;
      opts.onRun?.(report, i);
    }
  } finally {
    await rig.close();
  }
  return tally;
}

/** Concurrent runs see the uploader's default timings (15 min stale, 5 s polls) pass 100 times faster. */
const CONCURRENT_TIME_SCALE = 100;

type Settled = { data: Buffer; result?: PublishResult; error?: unknown };

/**
 * Two uploads under one name at once, under a random fault plan: the second starts when the first has
 * sent `startAfter` chunks (0: when its job exists); one append is answered after a seeded delay. Then
 * the invariants of one writer per job, and a re-run without faults of whatever did not succeed.
 */
export async function concurrentChaosRun(rig: Rig, seed: number): Promise<ChaosRunReport> {
  const random = seededRandom(seed);
  const name = `chaos-pair-${seed}`;
  const chunkCount = randomInt(random, 1, 4);
  const size = (chunkCount - 1) * SMALL_CHUNK + randomInt(random, 1, SMALL_CHUNK);
  const first = seededBytes(size, seed);
  const sameBytes = random() < 0.5;
  const otherSize = random() < 0.5 ? size : size + randomInt(random, 1, SMALL_CHUNK);
  const second = sameBytes ? first : seededBytes(otherSize, seed + 1);
  const startAfter = randomInt(random, 0, chunkCount);
  const plan = random() < 0.7 ? randomPlan(random, rig) : [];
  plan.push({
    operation: 'append-chunk',
    nth: rig.emulator.callCount('append-chunk') + randomInt(random, 1, chunkCount),
    fault: { type: 'delay', ms: randomInt(random, 0, 50) },
  });
  const firstEvent = rig.emulator.events.length;
  const firstViolation = rig.emulator.violations().length;
  const [firstPath, secondPath] = [await rig.image(first), await rig.image(second)];
  rig.emulator.faults.load(plan);
  const options = (stream: number) => ({
    requestTimeoutMs: STALL_TIMEOUT_MS,
    random: seededRandom(seed ^ stream),
    clock: scaledClock(CONCURRENT_TIME_SCALE),
  });
  const settle = (data: Buffer, run: Promise<PublishResult>): Promise<Settled> =>
    run.then(
      (result) => ({ data, result }),
      (error: unknown) => ({ data, error }),
    );
  let secondRun: Promise<Settled> | undefined;
  const startSecond = () => {
    secondRun ??= settle(
      second,
      rig.publish({ imagePath: secondPath, name, maxRetries: RETRIES }, options(2)),
    );
  };
  const firstRun = settle(
    first,
    rig.publish(
      { imagePath: firstPath, name, maxRetries: RETRIES },
      {
        ...options(1),
        onEvent: (e) => {
          const fires =
            startAfter === 0 ? e.type === 'job-created' : e.type === 'chunk-sent' && e.index === startAfter;
          if (fires) startSecond();
        },
      },
    ),
  );
  const a = await firstRun;
  startSecond(); // when the first run ended before its start point
  const b = await secondRun!;
  rig.emulator.faults.clear();
  const outcomes = [a, b].map(
    (s) => s.result?.outcome ?? (s.error instanceof ConflictError ? 'conflict' : 'failed'),
  );
  const report: ChaosRunReport = {
    seed,
    plan,
    concurrent: { sameBytes, startAfter, outcomes: outcomes.join(' + ') },
    firstTry: a.result !== undefined && (b.result !== undefined || b.error instanceof ConflictError),
    retries: (a.result?.retryCount ?? 0) + (b.result?.retryCount ?? 0),
    problems: [],
  };
  for (const s of [a, b]) {
    if (s.error && (!(s.error instanceof Error) || s.error.message.includes('\n'))) {
      report.problems.push(`a failure is not one clear line: ${String(s.error)}`);
    } else if (s.error && !report.error) report.error = (s.error as Error).message;
  }
  report.problems.push(...(await checkPair(rig, name, [a, b], firstEvent, firstViolation)));
  // A re-run without faults of each file whose run did not succeed: it completes, or meets the other
  // file's image and says so.
  for (const s of [a, b].filter((run) => !run.result)) {
    const imagePath = s === a ? firstPath : secondPath;
    const rerun = await settle(s.data, rig.publish({ imagePath, name, maxRetries: RETRIES }, { random }));
    if (rerun.error && !(rerun.error instanceof ConflictError)) {
      report.problems.push(`the re-run without faults failed: ${(rerun.error as Error).message}`);
    }
    report.problems.push(...(await checkPair(rig, name, [rerun], firstEvent, firstViolation)));
  }
  if (rig.emulator.state.firmwareImages().filter((image) => image.name === name).length !== 1) {
    report.problems.push('no firmware image (or more than one) under the name after the runs');
  }
  return report;
}

/**
 * One writer per job, whatever the interleaving: no violation in the emulator; every unfinished job holds
 * a prefix of one of the files, no job stored more chunks than that file has; at most one image under the
 * name, byte-identical to a file, and a run that succeeded reports that image and holds its bytes.
 */
async function checkPair(
  rig: Rig,
  name: string,
  runs: Settled[],
  firstEvent: number,
  firstViolation: number,
): Promise<string[]> {
  const problems: string[] = [];
  const { state } = rig.emulator;
  const violations = rig.emulator.violations().slice(firstViolation);
  if (violations.length > 0) problems.push(`violations: ${JSON.stringify(violations)}`);
  const events = rig.emulator.events.slice(firstEvent);
  const plans = runs.map((run) => localChunks(run.data));
  for (const job of state.uploadJobs().filter((j) => j.name === name)) {
    const stored = events.filter((e) => e.type === 'chunk-stored' && e.jobId === job.id).length;
    if (stored > Math.max(...plans.map((p) => p.length)))
      problems.push(`job ${job.id} stored ${stored} chunks`);
    if (job.status === 'completed') continue;
    const held = state.chunks(job.id);
    const prefixOf = (plan: (typeof plans)[number]) =>
      held.every(
        (c, i) => plan[i] && c.id === i + 1 && c.length === plan[i]!.length && c.hash === plan[i]!.md5Hex,
      );
    if (!plans.some(prefixOf)) problems.push(`job ${job.id} holds chunks that are no file's prefix`);
  }
  const images = state.firmwareImages().filter((i) => i.name === name);
  if (images.length > 1) problems.push(`${images.length} images under the name`);
  for (const image of images) {
    const bytes = await state.imageBytes(image.id);
    if (!runs.some((run) => run.data.equals(bytes)) && runs.length > 1) {
      problems.push(`firmware image ${image.id} is neither file`);
    }
    for (const run of runs.filter((r) => r.result)) {
      if (run.result!.firmwareImageId !== image.id || !run.data.equals(bytes)) {
        problems.push(
          `a run reported ${run.result!.outcome} with image ${run.result!.firmwareImageId} that is not its file`,
        );
      }
    }
  }
  return problems;
}

/** How to replay one failed run. */
export function replayHint(report: ChaosRunReport): string {
  return `seed ${report.seed}: ${report.problems.join('; ')} — replay: npm run chaos -- --runs 1 --seed ${report.seed}`;
}
