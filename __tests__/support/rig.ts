// The reliability rig: the uploader harness with 64 KiB chunks (the emulator's test-only minimum), and
// the invariants every run must keep. Shared by the reliability tests and the chaos runner (no jest here).
import { createHash } from 'node:crypto';
import type { EmulatorEvent } from '../../src/emulator/index.js';
import { planChunks } from '../../src/image/plan.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';

export const RIG_API_KEY = 'ak_reliability_rig_0123456789SECRET';
/** Chunks of 64 KiB: a three-chunk upload moves under 200 KiB. */
export const SMALL_CHUNK = 64 * 1024;

/** The uploader harness with 64 KiB chunks. */
export type Rig = Harness;

export const RIG_OPTIONS: HarnessOptions = {
  apiKey: RIG_API_KEY,
  chunkSize: SMALL_CHUNK,
  minChunkSizeForTests: SMALL_CHUNK,
  label: 'reliability-rig',
};

export function startRig(): Promise<Rig> {
  return startHarness(RIG_OPTIONS);
}

export interface LocalChunk {
  length: number;
  md5Hex: string;
}

/** The chunks the uploader makes of `data`, with their MD5s: what the service must hold, in order. */
export function localChunks(data: Buffer, chunkSize = SMALL_CHUNK): LocalChunk[] {
  return planChunks(data.length, chunkSize).map(({ offset, length }) => ({
    length,
    md5Hex: createHash('md5')
      .update(data.subarray(offset, offset + length))
      .digest('hex'),
  }));
}

/**
 * What must hold after any run, successful or not, given the emulator's events since the name was first
 * used (seeding included). Returns the problems found (empty: all good):
 * - never two chunk POSTs in flight on a job (the emulator's concurrent-append events);
 * - no job ever stored more chunks than the file has, and none was deleted (nothing was ever sent
 *   twice or out of order, which would have made the uploader restart the job);
 * - an unfinished job holds exactly a prefix of the file's chunks (length and MD5);
 * - a firmware image under the name is byte-identical to the file.
 */
export async function checkInvariants(
  rig: Rig,
  name: string,
  data: Buffer,
  events: EmulatorEvent[],
): Promise<string[]> {
  const problems: string[] = [];
  const chunks = localChunks(data);
  const { state } = rig.emulator;
  const concurrent = events.filter((e) => e.type === 'concurrent-append');
  if (concurrent.length > 0) problems.push(`two chunk POSTs in flight: ${JSON.stringify(concurrent)}`);
  const jobs = state.uploadJobs().filter((job) => job.name === name);
  for (const event of events.filter((e) => e.type === 'job-deleted')) {
    problems.push(`upload job ${event.jobId} was deleted: its chunks did not match the file`);
  }
  for (const job of jobs) {
    const stored = events.filter((e) => e.type === 'chunk-stored' && e.jobId === job.id).length;
    if (stored > chunks.length) problems.push(`job ${job.id} stored ${stored} chunks of ${chunks.length}`);
    if (job.status === 'completed') continue;
    state.chunks(job.id).forEach((held, i) => {
      const local = chunks[i];
      if (!local || held.id !== i + 1 || held.length !== local.length || held.hash !== local.md5Hex) {
        problems.push(
          `job ${job.id} holds chunk ${held.id} (${held.length} bytes) that is not chunk ${i + 1}`,
        );
      }
    });
  }
  for (const image of state.firmwareImages().filter((i) => i.name === name)) {
    if (!(await state.imageBytes(image.id)).equals(data)) {
      problems.push(`firmware image ${image.id} differs from the local file`);
    }
  }
  return problems;
}
