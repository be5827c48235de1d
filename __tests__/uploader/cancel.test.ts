// Cancellation: the abort signal ends the request in flight; the error says where the upload stood, and a
// second publish resumes the kept job to a byte-exact image.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { UploadInterruptedError } from '../../src/uploader/errors.js';
import { CHUNK, randomImage, storedBytes } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';

const h = harnessForSuite();

async function until(condition: () => boolean) {
  while (!condition()) await delay(5);
}

describe('cancellation', () => {
  it('aborting while chunk 2 hangs on the wire interrupts it; a re-run resumes to the exact bytes', async () => {
    const data = randomImage(2 * CHUNK + 1);
    const imagePath = await h.image(data);
    const appendsBefore = h.emulator.callCount('append-chunk');
    h.emulator.faults.add({ operation: 'append-chunk', nth: appendsBefore + 2, fault: { type: 'hang' } });

    const controller = new AbortController();
    const first = h.publish({ imagePath, name: 'cancel' }, { signal: controller.signal });
    const outcome = first.catch((e: unknown) => e);
    await until(() => h.emulator.callCount('append-chunk') === appendsBefore + 2);
    controller.abort();
    const error = await outcome;

    expect(error).toBeInstanceOf(UploadInterruptedError);
    const interrupted = error as UploadInterruptedError;
    const job = h.emulator.state.uploadJobs().find((j) => j.name === 'cancel')!;
    expect(interrupted).toMatchObject({ jobId: job.id, chunksHeld: 1, chunkCount: 3 });
    expect(interrupted.message).toBe(
      `upload cancelled: upload job ${job.id} holds 1 of 3 chunks; run again with the same name and file to resume it`,
    );
    h.emulator.faults.clear();

    const second = h.publish({ imagePath, name: 'cancel' });
    const result = await second;
    expect(result).toMatchObject({
      outcome: 'resumed',
      uploadJobId: job.id,
      chunksResumed: 1,
      chunksSent: 2,
    });
    expect((await storedBytes(h.emulator, result)).equals(data)).toBe(true);
    expect(h.emulator.violations()).toEqual([]);
  });

  it('aborting before anything was created says there is nothing to resume', async () => {
    const controller = new AbortController();
    controller.abort();
    const creates = h.emulator.callCount('create-job');
    const error = await h
      .publish(
        { imagePath: await h.image(randomImage(10)), name: 'cancel-early' },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadInterruptedError);
    expect((error as Error).message).toMatch(/before an upload job was created/);
    expect(h.emulator.callCount('create-job')).toBe(creates);
  });
});
