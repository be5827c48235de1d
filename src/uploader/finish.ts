// The last step before the zero-length chunk: a job is completed only when it is exactly the local file,
// still ours, and about to give the image the user's description. What it checks cannot be undone after.
import type { UploadChunk } from '../api/types.js';
import type { ImageSource } from '../image/index.js';
import { heldChunksMismatch, type LocalChunk } from './decide.js';
import { hint } from '../common/hint.js';
import { UploadStateError } from './errors.js';
import { UPLOADER_HINTS } from './hints.js';
import { listHeldChunks } from './names.js';
import { ensureStillOwned } from './ownership.js';
import type { UploadSession } from './session.js';
import type { ChunkTiming } from './types.js';

export async function prepareCompletion(
  session: UploadSession,
  source: ImageSource,
  jobId: string,
  plan: LocalChunk[],
  description: string,
  /** Read the job's marker back first (mayHaveBeenTakenOver()); otherwise its answer is known. */
  ownerCheck = true,
): Promise<void> {
  await source.checkUnchanged();
  if (ownerCheck) await ensureStillOwned(session, jobId);
  const mismatch = planMismatch(await listHeldChunks(session, jobId), plan);
  if (mismatch) {
    throw new UploadStateError(
      hint`upload job ${jobId} is not completed: its chunk list is not the local file's (${mismatch}); stopped so that no wrong image is stored; ${UPLOADER_HINTS.startsItOver}`,
    );
  }
  // The image inherits the job's description: the owner marker goes, the user's description comes back.
  const job = await session.repeatable(`update upload job ${jobId}`, () =>
    session.client.updateUploadJob(jobId, { description }),
  );
  if (job.description !== description) {
    throw new UploadStateError(
      `upload job ${jobId} is not completed: the service kept another description than the one set; ` +
        'the image would not carry yours; run again',
    );
  }
  await source.checkUnchanged();
}

/** Why the job's chunk list is not exactly the plan (count, then each id, length and MD5). */
export function planMismatch(held: UploadChunk[], plan: LocalChunk[]): string | undefined {
  if (held.length !== plan.length) {
    return `it holds ${held.length} chunks where the local file makes ${plan.length}`;
  }
  return heldChunksMismatch(held, plan);
}

/**
 * Whether another run can have taken the job over, so that the marker must be read back before
 * completing. A run takes over only a job that was released (this run releases only on its way out) or
 * that sat still for staleAfterMs. A job this run created (create arbitrates the name) and kept moving,
 * never still for half of staleAfterMs (a margin for the clocks) between its create, each chunk's answer
 * and now, cannot have been: the read's answer is known. A job this run claimed is always read back (two
 * claims at once).
 */
export function mayHaveBeenTakenOver(
  session: UploadSession,
  createdAtMs: number | undefined,
  progress: { timeline: ChunkTiming[] },
): boolean {
  if (createdAtMs === undefined) return true;
  const moved = [createdAtMs, ...progress.timeline.map((t) => t.startMs + t.durationMs), session.elapsedMs()];
  const longestStillMs = Math.max(...moved.slice(1).map((at, i) => at - moved[i]!));
  return longestStillMs >= session.ownership.staleAfterMs / 2;
}
