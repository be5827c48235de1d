// The emulator's foreign-writer fault: another client appends to the job this run writes. The run stops
// at the first answer that is not its own chunk, or at the check before completion, and never completes
// the job; the one window the API leaves (between that check and the zero-length chunk) is caught by the
// verification of the image.
import { describe, expect, it } from '@jest/globals';
import type { Operation } from '../../src/emulator/index.js';
import { UploadStateError, VerificationError } from '../../src/uploader/errors.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { SMALL_CHUNK } from '../support/rig.js';
import { rigForSuite } from '../support/suite.js';

const rig = rigForSuite({ allowViolations: true });

const CHUNKS = 4;

async function withForeignWriter(
  name: string,
  operation: Operation,
  nth: number,
  size = (CHUNKS - 1) * SMALL_CHUNK + 99,
) {
  const data = seededBytes(size, name.length);
  const imagePath = await rig.image(data);
  rig.emulator.faults.add({
    operation,
    nth: rig.emulator.callCount(operation) + nth,
    fault: { type: 'foreign-writer', bytes: 777 },
  });
  const appendsBefore = rig.emulator.callCount('append-chunk');
  const completesBefore = rig.emulator.callCount('complete-job');
  const call = rig.publish({ imagePath, name });
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  rig.emulator.faults.clear();
  const job = rig.emulator.state.uploadJobs().find((j) => j.name === name)!;
  return {
    error: error as Error,
    job,
    appends: rig.emulator.callCount('append-chunk') - appendsBefore,
    completes: rig.emulator.callCount('complete-job') - completesBefore,
    images: rig.emulator.state.firmwareImages().filter((i) => i.name === name),
    violations: rig.emulator.violations().filter((v) => v.jobId === job.id),
  };
}

describe('a foreign writer on the job', () => {
  it.each([1, 2, CHUNKS])(
    'before append %i: the run stops at that answer and never completes the job',
    async (nth) => {
      const seen = await withForeignWriter(`foreign-append-${nth}`, 'append-chunk', nth);
      expect(seen.error).toBeInstanceOf(UploadStateError);
      expect(seen.error.message).toMatch(
        new RegExp(
          `^upload job ${seen.job.id} has another writer: the service stored append chunk ${nth} of ${CHUNKS} as chunk ${nth + 1} .*stopped at once`,
        ),
      );
      expect(seen.appends).toBe(nth); // not one append after the answer that showed it
      expect(seen.completes).toBe(0);
      expect(seen.job.status).toBe('in_progress');
      expect(seen.images).toEqual([]);
      expect(seen.violations).toContainEqual(expect.objectContaining({ type: 'second-writer' }));
    },
  );

  it('before the check of the chunk list: the job is never completed', async () => {
    // The first chunk listing of a fresh upload is the check before completion.
    const seen = await withForeignWriter('foreign-before-check', 'list-chunks', 1);
    expect(seen.error).toBeInstanceOf(UploadStateError);
    expect(seen.error.message).toMatch(
      /is not completed: its chunk list is not the local file's \(it holds 5 chunks where the local file makes 4\)/,
    );
    expect(seen.appends).toBe(CHUNKS);
    expect(seen.completes).toBe(0);
    expect(seen.images).toEqual([]);
  });

  it('between the check and the zero-length chunk (the window the API leaves): verification fails', async () => {
    // Whole chunks only, so that the service accepts the foreign chunk as the last one (the 5 MiB rule).
    const seen = await withForeignWriter('foreign-at-completion', 'complete-job', 1, CHUNKS * SMALL_CHUNK);
    expect(seen.error).toBeInstanceOf(VerificationError);
    expect(seen.error.message).toMatch(/verification FAILED: .* do not use this image/);
    expect(seen.violations).toContainEqual(expect.objectContaining({ type: 'second-writer' }));
  });
});
