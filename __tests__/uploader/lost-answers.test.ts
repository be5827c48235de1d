// Lost answers: the service may have acted on a request whose answer never arrived. The uploader reads
// the service's state before re-sending, so nothing is ever appended or created twice.
import { describe, expect, it } from '@jest/globals';
import type { FaultRule } from '../../src/emulator/index.js';
import { CHUNK, randomImage, storedBytes } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';

const h = harnessForSuite({}, { clearFaults: true });

/** Injects `fault` on the n-th call of `operation` from now (the emulator counts calls since it started). */
function faultOnNext(operation: FaultRule['operation'], n: number, fault: FaultRule['fault']) {
  h.emulator.faults.add({ operation, nth: h.emulator.callCount(operation) + n, fault });
}

function storedChunkEvents(jobId: string) {
  return h.emulator.events.filter((e) => e.type === 'chunk-stored' && e.jobId === jobId).length;
}

async function publishAndCheck(name: string, size = 2 * CHUNK + 1) {
  const data = randomImage(size);
  const call = h.publish({ imagePath: await h.image(data), name });
  const result = await call;
  expect((await storedBytes(h.emulator, result)).equals(data)).toBe(true);
  return { result, run: call.run };
}

interface LostChunk {
  what: string;
  fault: FaultRule['fault'];
  /** The chunk (of 3) whose answer is lost. */
  chunk: number;
  /** Chunk POSTs the run makes in all, and how many its lost chunk took. */
  appends: number;
  attempts: number;
  finding: 'already-applied' | 'not-received';
}

const LOST_CHUNKS: LostChunk[] = [
  {
    what: 'reset after the chunk was stored: counted as sent, not appended twice',
    fault: { type: 'reset-after' },
    chunk: 2,
    appends: 3,
    attempts: 1,
    finding: 'already-applied',
  },
  {
    what: '502 after the chunk was stored: reconciled, not appended twice',
    fault: { type: 'status-after', status: 502 },
    chunk: 1,
    appends: 3,
    attempts: 1,
    finding: 'already-applied',
  },
  {
    what: 'reset before the chunk took effect: the job holds nothing new, so the chunk is sent again',
    fault: { type: 'reset-before' },
    chunk: 3,
    appends: 4,
    attempts: 2,
    finding: 'not-received',
  },
];

describe('a chunk whose answer was lost', () => {
  it.each(LOST_CHUNKS)('$what', async (c) => {
    faultOnNext('append-chunk', c.chunk, c.fault);
    const appends = h.emulator.callCount('append-chunk');
    const { result, run } = await publishAndCheck(`lost-chunk-${c.chunk}-${c.finding}`);
    expect(storedChunkEvents(result.uploadJobId!)).toBe(3);
    expect(h.emulator.callCount('append-chunk') - appends).toBe(c.appends);
    expect(result.retryCount).toBe(1);
    expect(result.timeline[c.chunk - 1]).toMatchObject({ index: c.chunk, attempts: c.attempts });
    expect(run.events).toContainEqual({
      type: 'reconciled',
      operation: `append chunk ${c.chunk} of 3`,
      finding: c.finding,
    });
  });

  it('a 503 with Retry-After is waited out (on the injected clock) and retried', async () => {
    faultOnNext('append-chunk', 1, { type: 'status', status: 503, retryAfter: '7' });
    const { result, run } = await publishAndCheck('busy', 10);
    expect(result.retryCount).toBe(1);
    expect(run.clock.slept.some((ms) => ms >= 7000)).toBe(true);
    expect(run.events).toContainEqual(
      expect.objectContaining({ type: 'retry', operation: 'append chunk 1 of 1', attempt: 2 }),
    );
  });
});

describe('the completing chunk whose answer was lost', () => {
  it('reset after completion: the job is read, found complete, and not completed again', async () => {
    faultOnNext('complete-job', 1, { type: 'reset-after' });
    const completes = h.emulator.callCount('complete-job');
    const { result, run } = await publishAndCheck('lost-complete', CHUNK + 1);
    expect(h.emulator.callCount('complete-job') - completes).toBe(1);
    expect(result.outcome).toBe('uploaded');
    expect(run.events).toContainEqual(
      expect.objectContaining({ type: 'reconciled', finding: 'already-applied' }),
    );
  });

  it('reset before completion: the job is still open with every chunk, so it is completed again', async () => {
    faultOnNext('complete-job', 1, { type: 'reset-before' });
    const completes = h.emulator.callCount('complete-job');
    const { result } = await publishAndCheck('lost-complete-before', CHUNK + 1);
    expect(h.emulator.callCount('complete-job') - completes).toBe(2);
    expect(result.outcome).toBe('uploaded');
  });
});

describe('a create whose answer was lost', () => {
  it('reset after create: the new empty job with our name is adopted, not created twice', async () => {
    faultOnNext('create-job', 1, { type: 'reset-after' });
    const creates = h.emulator.callCount('create-job');
    const { result, run } = await publishAndCheck('lost-create', 100);
    expect(h.emulator.callCount('create-job') - creates).toBe(1);
    expect(run.events).toContainEqual({
      type: 'job-created',
      jobId: result.uploadJobId,
      name: 'lost-create',
      adopted: true,
    });
    expect(h.emulator.state.uploadJobs().filter((j) => j.name === 'lost-create')).toHaveLength(1);
  });

  it('reset before create: nothing appeared under the name, so it is created again', async () => {
    faultOnNext('create-job', 1, { type: 'reset-before' });
    const creates = h.emulator.callCount('create-job');
    const { run } = await publishAndCheck('lost-create-before', 100);
    expect(h.emulator.callCount('create-job') - creates).toBe(2);
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'job-created', adopted: false }));
  });
});

describe('retries run out', () => {
  it('the last error is thrown and the job is kept with what it holds', async () => {
    h.emulator.faults.add({ operation: 'append-chunk', fault: { type: 'status', status: 503 } });
    const data = randomImage(CHUNK + 1);
    const call = h.publish({ imagePath: await h.image(data), name: 'exhausted', maxRetries: 2 });
    await expect(call).rejects.toMatchObject({ status: 503 });
    expect(call.run.events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(h.emulator.state.uploadJobs().filter((j) => j.name === 'exhausted')).toHaveLength(1);
  });
});
