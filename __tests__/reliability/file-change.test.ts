// The image file changes under the upload: rewritten with other bytes of the same size, one byte flipped
// in place, truncated, appended to, or replaced by another file (mv), at several points, and during a
// retried re-send. The job is never completed, the error names the path, and a re-run publishes the file
// as it is now.
import { describe, expect, it } from '@jest/globals';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ImageChangedError } from '../../src/image/errors.js';
import type { UploadEvent } from '../../src/uploader/types.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { xorInPlace } from '../support/file-changes.js';
import { localChunks, SMALL_CHUNK } from '../support/rig.js';
import { rigForSuite } from '../support/suite.js';

const rig = rigForSuite();

const CHUNKS = 4;
const SIZE = (CHUNKS - 1) * SMALL_CHUNK + 500;

interface Change {
  label: string;
  /** Changes the file at `path` (synchronously, from inside the run's event). */
  apply(path: string): void;
}

const CHANGES: Change[] = [
  { label: 'rewritten, same size', apply: (path) => writeFileSync(path, seededBytes(SIZE, 99)) },
  // Same size, same inode, the size never moves: only the modification time tells.
  {
    label: 'one byte of chunk 2 flipped in place',
    apply: (path) => xorInPlace(path, 2 * SMALL_CHUNK - 1, Buffer.from([0x80])),
  },
  { label: 'truncated', apply: (path) => truncateSync(path, SMALL_CHUNK + 10) },
  { label: 'appended to', apply: (path) => appendFileSync(path, Buffer.from('more bytes')) },
  {
    label: 'replaced by another file (mv)',
    apply: (path) => {
      writeFileSync(`${path}.new`, seededBytes(SIZE, 98));
      renameSync(`${path}.new`, path);
    },
  },
];

interface Moment {
  label: string;
  fires: (event: UploadEvent) => boolean;
  /** The retries the run made (the change itself is never retried), and the chunks the job is left with. */
  retries: number;
  chunksHeld: number;
}

const MOMENTS: Moment[] = [
  {
    label: 'after chunk 1',
    fires: (e) => e.type === 'chunk-sent' && e.index === 1,
    retries: 0,
    chunksHeld: 1,
  },
  {
    label: 'after the last chunk',
    fires: (e) => e.type === 'chunk-sent' && e.index === CHUNKS,
    retries: 0,
    chunksHeld: CHUNKS,
  },
  // Chunk 2 is answered 503 once; the change lands while the run waits to re-send it from memory.
  {
    label: 'during the re-send of chunk 2',
    fires: (e) => e.type === 'retry' && e.operation === `append chunk 2 of ${CHUNKS}`,
    // The one retry is the 503's; chunk 2 is never stored.
    retries: 1,
    chunksHeld: 1,
  },
];

const ROWS = CHANGES.flatMap((change) => MOMENTS.map((moment) => [change, moment] as const));

describe('a file that changes while it is uploaded', () => {
  it.each(ROWS.map(([c, m]) => [`${c.label} ${m.label}`, c, m] as const))(
    '%s: never completed, the error names the path, a re-run publishes the file as it is now',
    async (label, change, moment) => {
      const name = `changed-${label.replace(/\W+/g, '-')}`;
      const original = seededBytes(SIZE, 7);
      const imagePath = await rig.image(original);
      if (moment.label.startsWith('during')) {
        rig.emulator.faults.add({
          operation: 'append-chunk',
          nth: rig.emulator.callCount('append-chunk') + 2,
          fault: { type: 'status', status: 503 },
        });
      }
      let changed = false;
      const completesBefore = rig.emulator.callCount('complete-job');
      const run = rig.publish(
        { imagePath, name },
        {
          onEvent: (event) => {
            if (!changed && moment.fires(event)) {
              changed = true;
              change.apply(imagePath);
            }
          },
        },
      );
      const error = await run.catch((e: unknown) => e);
      rig.emulator.faults.clear();
      expect(changed).toBe(true);
      expect(error).toBeInstanceOf(ImageChangedError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^\`${imagePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\` changed while it was being uploaded \\(`,
        ),
      );
      expect(rig.emulator.callCount('complete-job')).toBe(completesBefore);
      expect(rig.emulator.state.firmwareImages().filter((i) => i.name === name)).toEqual([]);
      const job = rig.emulator.state.uploadJobs().find((j) => j.name === name)!;
      expect(job.status).toBe('in_progress');
      expect(run.run.events.filter((e) => e.type === 'retry')).toHaveLength(moment.retries);
      // What the job holds is the file's first chunks as they were planned, length and MD5.
      const held = rig.emulator.state.chunks(job.id).map((c) => ({ length: c.length, md5Hex: c.hash }));
      expect(held).toEqual(localChunks(original).slice(0, moment.chunksHeld));
      // Left for a re-run: released, so that the re-run takes it over at once.
      expect(job.description).toMatch(/^\[izuma-firmware-publish\] released by run /);

      const rerun = await rig.publish({ imagePath, name });
      const now = await readFile(imagePath);
      expect((await rig.emulator.state.imageBytes(rerun.firmwareImageId!)).equals(now)).toBe(true);
      expect(rig.emulator.violations()).toEqual([]);
    },
  );
});
