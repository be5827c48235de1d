// The requests one publish makes, counted by the emulator: a new name, a resume (a job left with chunks
// by an interrupted run) and a reuse (the same file published under the name already).
import { basename, dirname } from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { OPERATIONS, type Operation } from '../../src/emulator/types.js';
import { runAction } from '../lib/run-action.js';

export interface RequestCounts {
  chunks: number;
  newName: number;
  resume: number;
  reuse: number;
  /** Per operation, for the new-name publish. */
  newNameByOperation: Partial<Record<Operation, number>>;
}

const KEY = 'ak_bench_requests';

const counts = (emulator: Emulator) =>
  Object.fromEntries(OPERATIONS.map((op) => [op, emulator.callCount(op)])) as Record<Operation, number>;

function since(before: Record<Operation, number>, after: Record<Operation, number>) {
  const by: Partial<Record<Operation, number>> = {};
  let total = 0;
  for (const op of OPERATIONS) {
    const n = after[op] - before[op];
    if (n > 0) by[op] = n;
    total += n;
  }
  return { total, by };
}

export async function countRequests(imagePath: string, chunkSize: number, chunks: number, dataDir: string) {
  const emulator = await startEmulator({ apiKey: KEY, dataDir });
  try {
    const publish = async (name: string, expectOutcome: string | undefined) => {
      const before = counts(emulator);
      const run = await runAction({
        cwd: dirname(imagePath),
        inputs: {
          'api-key': KEY,
          'api-host': emulator.url,
          'image-path': basename(imagePath),
          name,
          'chunk-size': String(chunkSize),
          retries: '0',
        },
      });
      await run.cleanup();
      if (expectOutcome !== undefined && run.outputs.outcome !== expectOutcome) {
        throw new Error(`request count: expected outcome ${expectOutcome}, got:\n${run.stdout.slice(-2000)}`);
      }
      return since(before, counts(emulator));
    };
    const fresh = await publish('requests-new', 'uploaded');
    const reuse = await publish('requests-new', 'reused');
    // An interrupted run: the second chunk is refused for good, the job keeps one chunk.
    emulator.faults.add({
      operation: 'append-chunk',
      nth: emulator.callCount('append-chunk') + 2,
      fault: { type: 'status', status: 400 },
    });
    await publish('requests-resume', undefined);
    emulator.faults.clear();
    const resume = await publish('requests-resume', 'resumed');
    const result: RequestCounts = {
      chunks,
      newName: fresh.total,
      resume: resume.total,
      reuse: reuse.total,
      newNameByOperation: fresh.by,
    };
    return result;
  } finally {
    await emulator.stop();
  }
}

export function formatRequests(r: RequestCounts): string {
  const by = Object.entries(r.newNameByOperation)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  return (
    `requests (counted by the emulator, ${r.chunks}-chunk image): new name ${r.newName} (${by}); ` +
    `resume ${r.resume} (after one chunk was held); reuse ${r.reuse}`
  );
}
