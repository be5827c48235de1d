// Two runs under one name at once, against the emulator over real HTTP: the second starts when the first
// has stored 0, 1, half or all of its chunks (driven by the first run's own events, not by sleeps), with
// the same or different bytes; a third run afterwards; a cancelled run, its re-run, and a run started while
// the re-run is live. One writer per job: the loser waits and reuses, or fails with a clear conflict.
import { describe, expect, it } from '@jest/globals';
import { EMPTY_MD5_BASE64 } from '../../src/api/types.js';
import { ConflictError, UploadInterruptedError } from '../../src/uploader/errors.js';
import { ownerMarker } from '../../src/uploader/ownership.js';
import type { PublishResult, UploadEvent } from '../../src/uploader/types.js';
import { CONCURRENT_TIMINGS, type HarnessPublishOptions } from '../support/harness.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { checkInvariants, RIG_API_KEY, SMALL_CHUNK, type Rig } from '../support/rig.js';
import { rigForSuite } from '../support/suite.js';

const CHUNKS = 8;
const SIZE = (CHUNKS - 1) * SMALL_CHUNK + 1234;
/** Both runs on real time with short waits: the loser polls while the winner really moves. */
const LIVE: HarnessPublishOptions = { clock: 'real', ownership: CONCURRENT_TIMINGS };

const rig = rigForSuite();

interface StartPoint {
  label: string;
  /** The first run's event at which the second run starts. */
  fires: (event: UploadEvent) => boolean;
}

const START_POINTS: StartPoint[] = [
  { label: 'chunk 0 (job just created)', fires: (e) => e.type === 'job-created' },
  { label: 'chunk 1', fires: (e) => e.type === 'chunk-sent' && e.index === 1 },
  { label: 'half', fires: (e) => e.type === 'chunk-sent' && e.index === CHUNKS / 2 },
  { label: 'the last chunk', fires: (e) => e.type === 'chunk-sent' && e.index === CHUNKS },
];

type Settled = { result: PublishResult; error?: undefined } | { result?: undefined; error: unknown };

function settle(promise: Promise<PublishResult>): Promise<Settled> {
  return promise.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}

/** Runs the first upload and starts the second at `start`; both settle. */
async function race(name: string, first: Buffer, second: Buffer, start: StartPoint) {
  const [firstPath, secondPath] = [await rig.image(first), await rig.image(second)];
  let secondRun: ReturnType<Rig['publish']> | undefined;
  const winner = rig.publish(
    { imagePath: firstPath, name },
    {
      ...LIVE,
      onEvent: (event) => {
        if (!secondRun && start.fires(event)) secondRun = rig.publish({ imagePath: secondPath, name }, LIVE);
      },
    },
  );
  const a = await settle(winner);
  expect(secondRun).toBeDefined();
  const b = await settle(secondRun!);
  return { a, b, winner, loser: secondRun! };
}

/** What must hold after runs under `name`, `winnerData` being the file of the run that won. */
async function expectOneWriter(name: string, winnerData: Buffer, eventsFrom: number, violationsFrom: number) {
  const events = rig.emulator.events.slice(eventsFrom);
  expect(rig.emulator.violations().slice(violationsFrom)).toEqual([]);
  expect(await checkInvariants(rig, name, winnerData, events)).toEqual([]);
  const images = rig.emulator.state.firmwareImages().filter((image) => image.name === name);
  expect(images).toHaveLength(1);
  expect((await rig.emulator.state.imageBytes(images[0]!.id)).equals(winnerData)).toBe(true);
  // Every chunk was stored exactly once, by the winner: the loser appended nothing.
  const jobIds = new Set(events.filter((e) => e.type === 'job-created').map((e) => e.jobId));
  expect(jobIds.size).toBe(1);
  expect(events.filter((e) => e.type === 'chunk-stored')).toHaveLength(CHUNKS);
  return images[0]!;
}

const marks = () => ({ events: rig.emulator.events.length, violations: rig.emulator.violations().length });

describe('two runs under one name, the second started at', () => {
  it.each(START_POINTS)(
    '$label, same bytes: the second waits and reuses the first one’s image',
    async (start) => {
      const name = `same-${start.label.replace(/\W+/g, '-')}`;
      const data = seededBytes(SIZE, 11);
      const from = marks();
      const { a, b, loser } = await race(name, data, data, start);
      expect(a.error).toBeUndefined();
      expect(b.error).toBeUndefined();
      expect(a.result!.outcome).toBe('uploaded');
      expect(b.result).toMatchObject({ outcome: 'reused', firmwareImageId: a.result!.firmwareImageId });
      const image = await expectOneWriter(name, data, from.events, from.violations);
      expect(image.id).toBe(a.result!.firmwareImageId);
      expect(image.description).toBe(''); // the owner marker never reaches the image

      // The loser's wait shows in its log and events (the summary renders the 'waited' event).
      const waited = loser.run.events.filter((e) => e.type === 'waited');
      if (start.label === 'the last chunk' && waited.length === 0) {
        // Started as the winner completed: it found the finished image itself, and never waited.
        expect(loser.run.events.filter((e) => e.type === 'waiting')).toEqual([]);
        expect(loser.run.events).toContainEqual(expect.objectContaining({ type: 'reused' }));
      } else {
        expect(waited).toEqual([
          expect.objectContaining({ outcome: 'completed', jobId: a.result!.uploadJobId }),
        ]);
        expect(loser.run.logger.lines.join('\n')).toMatch(
          /is being written by another run .* waiting for it/,
        );
      }

      // A third run afterwards reuses the same image and changes nothing.
      const third = await rig.publish({ imagePath: await rig.image(data), name });
      expect(third).toMatchObject({ outcome: 'reused', firmwareImageId: image.id });
      await expectOneWriter(name, data, from.events, from.violations);
    },
  );

  it.each(START_POINTS)(
    '$label, a file of another size: the second fails at once with a conflict naming the job',
    async (start) => {
      const name = `size-${start.label.replace(/\W+/g, '-')}`;
      const data = seededBytes(SIZE, 12);
      const other = seededBytes(SIZE - 1000, 13);
      const from = marks();
      const { a, b, loser } = await race(name, data, other, start);
      expect(a.result?.outcome).toBe('uploaded');
      expect(b.error).toBeInstanceOf(ConflictError);
      expect(conflictNamesTheRace(b.error as Error, name, a.result!)).toBe(true);
      // At once: the size in the first run's marker tells, no wait needed.
      expect(loser.run.events.some((e) => e.type === 'waiting')).toBe(false);
      await expectOneWriter(name, data, from.events, from.violations);

      const third = await rig.publish({ imagePath: await rig.image(other), name }).catch((e: unknown) => e);
      expect(third).toBeInstanceOf(ConflictError);
      expect((third as Error).message).toMatch(/already exists .* with different content/);
    },
  );

  it.each(START_POINTS)(
    '$label, same size but other bytes: the second fails as soon as a stored chunk differs',
    async (start) => {
      const name = `bytes-${start.label.replace(/\W+/g, '-')}`;
      const data = seededBytes(SIZE, 14);
      const other = seededBytes(SIZE, 15);
      const from = marks();
      const { a, b } = await race(name, data, other, start);
      expect(a.result?.outcome).toBe('uploaded');
      expect(b.error).toBeInstanceOf(ConflictError);
      expect(conflictNamesTheRace(b.error as Error, name, a.result!)).toBe(true);
      await expectOneWriter(name, data, from.events, from.violations);
    },
  );
});

/**
 * The loser's conflict: another run's live job (named), or, when the winner completed before the loser
 * looked, the winner's image.
 */
function conflictNamesTheRace(error: Error, name: string, winner: PublishResult): boolean {
  const live = `another run is uploading different content under the name "${name}" (upload job ${winner.uploadJobId}`;
  const done = `firmware image "${name}" already exists (id ${winner.firmwareImageId}) with different content`;
  return error.message.startsWith(live) || error.message.startsWith(done);
}

describe('a cancelled run, its re-run, and a third run while the re-run is live', () => {
  it('the re-run resumes the released job; the third waits and reuses; nothing is sent twice', async () => {
    const name = 'cancelled-then-two';
    const data = seededBytes(SIZE, 16);
    const imagePath = await rig.image(data);
    const from = marks();

    const cancel = new AbortController();
    const cancelled = await settle(
      rig.publish(
        { imagePath, name },
        {
          ...LIVE,
          signal: cancel.signal,
          onEvent: (e) => e.type === 'chunk-sent' && e.index === 2 && cancel.abort(),
        },
      ),
    );
    expect(cancelled.error).toBeInstanceOf(UploadInterruptedError);
    const job = rig.emulator.state.uploadJobs().find((j) => j.name === name)!;
    // Released on the way out, so that the re-run need not wait for it to look abandoned.
    expect(job.description).toMatch(/^\[izuma-firmware-publish\] released by run /);

    let third: ReturnType<Rig['publish']> | undefined;
    const rerun = await settle(
      rig.publish(
        { imagePath, name },
        {
          ...LIVE,
          onEvent: (e) => {
            if (!third && e.type === 'chunk-sent' && e.index === 4)
              third = rig.publish({ imagePath, name }, LIVE);
          },
        },
      ),
    );
    const late = await settle(third!);
    expect(rerun.result).toMatchObject({ outcome: 'resumed', uploadJobId: job.id, chunksResumed: 2 });
    expect(late.result).toMatchObject({ outcome: 'reused', firmwareImageId: rerun.result!.firmwareImageId });
    expect(third!.run.events).toContainEqual(
      expect.objectContaining({ type: 'waited', outcome: 'completed' }),
    );
    await expectOneWriter(name, data, from.events, from.violations);
  });

  it('a killed run (no release) blocks the name until its job looks abandoned, then a re-run resumes it', async () => {
    const name = 'killed-not-released';
    const data = seededBytes(SIZE, 17);
    const imagePath = await rig.image(data);
    // What a killed run leaves: chunks and its owner marker, fresh.
    const killed = await rig.emulator.state.seedUploadJob({
      name,
      idleMs: 0,
      chunks: [data.subarray(0, SMALL_CHUNK)],
      description: ownerMarker(`${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, SIZE),
    });
    // On the fake clock the run watches the job for the full 15 minutes without it moving, instantly.
    const call = rig.publish({ imagePath, name });
    const result = await call;
    expect(result).toMatchObject({ outcome: 'resumed', uploadJobId: killed.id, chunksResumed: 1 });
    expect(call.run.events).toContainEqual(expect.objectContaining({ type: 'waited', outcome: 'abandoned' }));
    const waitedMs = call.run.clock.slept.filter((ms) => ms === 5000).length * 5000;
    expect(waitedMs).toBeGreaterThanOrEqual(15 * 60_000);
    expect(rig.emulator.violations()).toEqual([]);
  });
});

describe('another run completes the job just before this run does', () => {
  /** What a slower run of the same file does: it sends the zero-length chunk to the job. */
  const completeAsAnotherRun = (jobId: string) =>
    fetch(`${rig.emulator.url}/v3/firmware-images/upload-jobs/${jobId}/chunks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${RIG_API_KEY}`,
        'content-type': 'binary/octet-stream',
        'content-md5': EMPTY_MD5_BASE64,
      },
      body: new Uint8Array(0),
    }).then((response) => expect(response.status).toBe(201));

  it.each([
    // The completion lands while this run's check of the job is answered late: the chunk list it reads
    // next is empty (a completed job lists none).
    { during: 'the check before completion', operation: 'get-job' as const },
    // It lands while the run puts the description back: the run's zero-length chunk gets a 400.
    { during: 'the description being put back', operation: 'update-job' as const },
  ])('during $during: the run reports reused with that image', async ({ operation }) => {
    const name = `completed-meanwhile-${operation}`;
    const data = seededBytes(2 * SMALL_CHUNK + 5, 18);
    const chunks = [0, 1, 2].map((i) => data.subarray(i * SMALL_CHUNK, (i + 1) * SMALL_CHUNK));
    // Left by a run that looks gone: every chunk held, idle an hour. This run takes it over.
    const job = await rig.emulator.state.seedUploadJob({ name, chunks });
    let other: Promise<unknown> | undefined;
    const call = rig.publish(
      { imagePath: await rig.image(data), name },
      {
        onEvent: (e) => {
          if (e.type !== 'phase' || e.phase !== 'complete') return;
          // Took effect at once; answered after 300 ms, while the other run completes the job.
          const nth = rig.emulator.callCount(operation) + 1;
          rig.emulator.faults.add({ operation, nth, fault: { type: 'delay', ms: 300 } });
          other = completeAsAnotherRun(job.id);
        },
      },
    );
    const result = await call;
    await other;
    rig.emulator.faults.clear();
    const image = rig.emulator.state.firmwareImages().find((i) => i.name === name)!;
    expect(result).toMatchObject({ outcome: 'reused', firmwareImageId: image.id });
    expect(call.run.logger.lines).toContain(
      `info: upload job ${job.id} was completed by another run meanwhile`,
    );
    expect(call.run.logger.lines.join('\n')).not.toMatch(/re-run .* resumes/);
    expect((await rig.emulator.state.imageBytes(image.id)).equals(data)).toBe(true);
  });
});

describe('the wait for another run', () => {
  /** A job another run is writing right now: its marker, one chunk, just updated. */
  async function liveJob(name: string, data: Buffer) {
    const token = '11111111-2222-4333-8444-555555555555';
    return rig.emulator.state.seedUploadJob({
      name,
      idleMs: 0,
      chunks: [data.subarray(0, SMALL_CHUNK)],
      description: ownerMarker(token, data.length),
    });
  }

  it('is bounded: past maxWaitMs the run fails, saying so, and leaves the job alone', async () => {
    const data = seededBytes(SIZE, 19);
    const job = await liveJob('wait-bounded', data);
    const writes = () => rig.emulator.callCount('append-chunk') + rig.emulator.callCount('update-job');
    const before = writes();
    // Fake clock: the job looks live for 15 min of watching, longer than this run's 10 min bound.
    const call = rig.publish(
      { imagePath: await rig.image(data), name: 'wait-bounded' },
      { ownership: { maxWaitMs: 600_000 } },
    );
    const error = await call.catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^another run has been uploading under "wait-bounded" \\(upload job ${job.id}, 1 of ${CHUNKS} chunks\\) for the 10 min this run waits at most`,
      ),
    );
    expect(call.run.events).toContainEqual(expect.objectContaining({ type: 'waited', outcome: 'gave up' }));
    expect(writes()).toBe(before);
  });

  it('is cancellable: the signal ends it at once, and the job is left alone', async () => {
    const data = seededBytes(SIZE, 20);
    const job = await liveJob('wait-cancelled', data);
    const cancel = new AbortController();
    let polls = 0;
    const call = rig.publish(
      { imagePath: await rig.image(data), name: 'wait-cancelled' },
      { signal: cancel.signal, onEvent: (e) => e.type === 'waiting' && ++polls === 3 && cancel.abort() },
    );
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadInterruptedError);
    expect(call.run.events).toContainEqual(expect.objectContaining({ type: 'waited', outcome: 'cancelled' }));
    expect(rig.emulator.state.uploadJobs().find((j) => j.id === job.id)?.description).toBe(job.description);
    expect(rig.emulator.state.chunks(job.id)).toHaveLength(1);
  });
});
