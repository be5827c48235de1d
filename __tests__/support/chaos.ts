// Chaos: seeded random fault plans over many small uploads, each checked against the invariants, and each
// failed run followed by a re-run without faults that must complete byte-exact. One implementation for the
// jest test (a few dozen runs) and `npm run chaos` (hundreds on demand). A run replays from its seed.
import type { Fault, FaultRule, Operation } from '../../src/emulator/index.js';
import { pick, randomInt, seededBytes, seededRandom, type Random } from './prng.js';
import { checkInvariants, SMALL_CHUNK, startRig, type Rig } from './rig.js';

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
  firstTry: number;
  recovered: number;
  faultRules: number;
  retries: number;
  failures: ChaosRunReport[];
}

function randomFault(random: Random): Fault {
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
  const request = { imagePath, name, retries: RETRIES };
  // Jitter from its own sequence, so the plan stays the seed's whatever the retries draw.
  const jitter = seededRandom(seed ^ 0x5bd1e995);
  const options = { requestTimeoutMs: STALL_TIMEOUT_MS, random: jitter };
  const report: ChaosRunReport = { seed, plan, firstTry: false, retries: 0, problems: [] };
  try {
    const result = await rig.publish(request, options);
    report.firstTry = true;
    report.retries = result.retries;
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
  const tally: ChaosTally = { runs: 0, firstTry: 0, recovered: 0, faultRules: 0, retries: 0, failures: [] };
  try {
    for (let i = 0; i < opts.runs; i++) {
      const report = await chaosRun(rig, opts.seed + i);
      tally.runs++;
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

/** How to replay one failed run. */
export function replayHint(report: ChaosRunReport): string {
  return `seed ${report.seed}: ${report.problems.join('; ')} — replay: npm run chaos -- --runs 1 --seed ${report.seed}`;
}
