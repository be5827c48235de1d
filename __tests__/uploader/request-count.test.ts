// The requests one publish makes, counted by the emulator per operation, so that a request added back
// fails here: a new name (N chunks: N + 5), a reuse, a resume; and the read a job that sat still still gets.
import { describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { paths } from '../../src/api/types.js';
import { OPERATIONS, type Operation } from '../../src/emulator/types.js';
import { AnotherWriterError } from '../../src/uploader/errors.js';
import { ownerMarker } from '../../src/uploader/ownership.js';
import { API_KEY, fakeClock, randomImage } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';

const CHUNK = 64 * 1024;
const CHUNKS = 4;

const h = harnessForSuite({ chunkSize: CHUNK, minChunkSizeForTests: CHUNK, label: 'request-count' });

type Counts = Partial<Record<Operation, number>>;

/** The requests `fn` made, per operation (only those it made). */
async function counted(fn: () => Promise<unknown>): Promise<Counts> {
  const before = OPERATIONS.map((op) => h.emulator.callCount(op));
  await fn();
  const made: Counts = {};
  OPERATIONS.forEach((op, i) => {
    const n = h.emulator.callCount(op) - before[i]!;
    if (n > 0) made[op] = n;
  });
  return made;
}

const total = (counts: Counts) => Object.values(counts).reduce((sum, n) => sum + n, 0);

describe('requests per publish', () => {
  it('a new name: the create, N chunks, the chunk list, the description, the completion, the image (N + 5)', async () => {
    const imagePath = await h.image(randomImage((CHUNKS - 1) * CHUNK + 1));
    const made = await counted(() => h.publish({ imagePath, name: 'count-new' }));
    expect(made).toEqual({
      'create-job': 1,
      'append-chunk': CHUNKS,
      'list-chunks': 1,
      'update-job': 1,
      'complete-job': 1,
      'list-images': 1,
    });
    expect(total(made)).toBe(CHUNKS + 5);
  });

  it('a reuse: the refused create, then images and jobs listed (at once)', async () => {
    const imagePath = await h.image(randomImage(2 * CHUNK));
    await h.publish({ imagePath, name: 'count-reuse' });
    const made = await counted(async () => {
      const result = await h.publish({ imagePath, name: 'count-reuse' });
      expect(result.outcome).toBe('reused');
    });
    expect(made).toEqual({ 'create-job': 1, 'list-images': 1, 'list-jobs': 1 });
  });

  it('a resume after one chunk was held: look-up, claim and its read-back, the rest of the chunks, finish', async () => {
    const imagePath = await h.image(randomImage((CHUNKS - 1) * CHUNK + 1));
    h.emulator.faults.add({
      operation: 'append-chunk',
      nth: h.emulator.callCount('append-chunk') + 2,
      fault: { type: 'status', status: 400 },
    });
    await expect(h.publish({ imagePath, name: 'count-resume' })).rejects.toThrow(/400/);
    h.emulator.faults.clear();
    const made = await counted(async () => {
      const result = await h.publish({ imagePath, name: 'count-resume' });
      expect(result).toMatchObject({ outcome: 'resumed', chunksResumed: 1, chunksSent: CHUNKS - 1 });
    });
    expect(made).toEqual({
      'create-job': 1, // refused: the name is held
      'list-images': 2, // the look-up, and the image after completion
      'list-jobs': 1,
      'list-chunks': 3, // the look-up, after the claim, before completion
      'update-job': 2, // the claim, the user's description
      'get-job': 2, // the claim's read-back, the owner check before completion (a claimed job)
      'append-chunk': CHUNKS - 1,
      'complete-job': 1,
    });
  });
});

describe('the owner check before completion', () => {
  it('is made for a job this run created once it sat still long enough to look abandoned, and stops a takeover', async () => {
    const imagePath = await h.image(randomImage((CHUNKS - 1) * CHUNK + 1));
    const name = 'count-still';
    // A 503 with Retry-After on chunk 2: the job sits still for 1 s, past half of staleAfterMs.
    h.emulator.faults.add({
      operation: 'append-chunk',
      nth: h.emulator.callCount('append-chunk') + 2,
      fault: { type: 'status', status: 503, retryAfter: '1' },
    });
    // Meanwhile another run takes the job over (its marker goes in).
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      const job = h.emulator.state.uploadJobs().find((j) => j.name === name)!;
      const other = ownerMarker('00000000-0000-4000-8000-000000000000', 1);
      const put = await request(h.emulator.url + paths.uploadJob(job.id), {
        method: 'PUT',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ description: other }),
      });
      await put.body.dump();
      expect(put.statusCode).toBe(200);
      await sleep(ms, signal);
    };
    const gets = h.emulator.callCount('get-job');
    const completes = h.emulator.callCount('complete-job');
    const error = await h
      .publish({ imagePath, name }, { clock, ownership: { staleAfterMs: 2000 } })
      .catch((e: unknown) => e);
    h.emulator.faults.clear();
    expect(error).toBeInstanceOf(AnotherWriterError);
    expect((error as Error).message).toMatch(/its description no longer names this run/);
    expect(h.emulator.callCount('get-job') - gets).toBeGreaterThanOrEqual(1);
    expect(h.emulator.callCount('complete-job') - completes).toBe(0);
    expect(h.emulator.state.firmwareImages().some((i) => i.name === name)).toBe(false);
  });
});
