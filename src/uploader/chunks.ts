// The upload pass: the image's hash pass runs one chunk ahead of the send, strictly one chunk on the wire
// at a time, each send (and re-send) re-reading its bytes from the file; chunks the job already holds
// verified and skipped, and every lost answer reconciled against the service's chunk list (length + MD5).
import type { UploadChunk } from '../api/types.js';
import { ServiceError } from '../client/index.js';
import type { ImageSource, PreparedChunk } from '../image/index.js';
import { chunkMismatch, type LocalChunk } from './decide.js';
import { hint } from '../common/hint.js';
import { AnotherWriterError, UploadStateError } from './errors.js';
import { UPLOADER_HINTS } from './hints.js';
import { listHeldChunks } from './names.js';
import type { UploadSession } from './session.js';
import type { ChunkTiming } from './types.js';

export interface PassProgress {
  jobId: string;
  /** Chunks the service is known to hold, from chunk 1. */
  chunksHeld: number;
  chunksSent: number;
  chunksSkipped: number;
  timeline: ChunkTiming[];
}

export type PassResult =
  /** `chunks`: the plan with every chunk's MD5, for the check before completion. */
  | { kind: 'done'; sha256Hex: string; chunks: LocalChunk[] }
  /** A chunk the job held is not the local file's: the job must be started over. */
  | { kind: 'mismatch'; reason: string };

/**
 * Sends every chunk the job does not hold yet. `progress` is updated as chunks land, so that an
 * interruption can say where the upload stood.
 */
export async function uploadPass(
  session: UploadSession,
  source: ImageSource,
  heldChunks: UploadChunk[],
  progress: PassProgress,
): Promise<PassResult> {
  const total = source.chunks.length;
  const sent: LocalChunk[] = [];
  let bytesDone = 0;
  for await (const chunk of source.read()) {
    session.signal?.throwIfAborted();
    const startMs = session.elapsedMs();
    const held = heldChunks[chunk.index - 1];
    let attempts = 0;
    if (held) {
      const mismatch = chunkMismatch(held, chunk.index, chunk);
      if (mismatch) return { kind: 'mismatch', reason: mismatch };
      progress.chunksSkipped++;
    } else {
      attempts = await sendChunk(session, source, progress.jobId, chunk, total);
      progress.chunksSent++;
    }
    sent.push({ length: chunk.length, md5: chunk.md5 });
    progress.chunksHeld = chunk.index;
    bytesDone += chunk.length;
    const durationMs = session.elapsedMs() - startMs;
    progress.timeline.push({
      index: chunk.index,
      length: chunk.length,
      startMs,
      durationMs,
      attempts,
      skipped: !!held,
    });
    session.emit({
      type: held ? 'chunk-skipped' : 'chunk-sent',
      index: chunk.index,
      total,
      length: chunk.length,
      bytesDone,
      bytesTotal: source.size,
    });
  }
  return { kind: 'done', sha256Hex: source.sha256Hex(), chunks: sent };
}

/**
 * Appends one chunk; returns the number of requests it took. The 201 must describe this chunk (id = its
 * index, our length and MD5): anything else means another client appends to the job too, unless the file
 * changed. A refusal (400: the service's Content-MD5 check) or a stored chunk that is not ours is first
 * checked against the file (source.checkChunk): a changed file is ImageChangedError, never retried.
 */
async function sendChunk(
  session: UploadSession,
  source: ImageSource,
  jobId: string,
  chunk: PreparedChunk,
  total: number,
) {
  const operation = `append chunk ${chunk.index} of ${total}`;
  let attempts = 0;
  const stored = await session
    .reconciled(
      operation,
      () => {
        attempts++;
        return session.client.appendChunk(jobId, chunk.body, chunk.md5Base64, operation);
      },
      () => reconcileChunk(session, jobId, chunk, operation),
    )
    .catch(async (error: unknown) => {
      if (error instanceof ServiceError && error.status === 400) await source.checkChunk(chunk);
      throw error;
    });
  const mismatch = chunkMismatch(stored, chunk.index, chunk);
  if (mismatch) {
    await source.checkChunk(chunk);
    throw new AnotherWriterError(
      jobId,
      `the service stored ${operation} as chunk ${stored.id} (${mismatch})`,
    );
  }
  return attempts;
}

/**
 * After a lost answer: the chunk landed if the job now holds it as its last chunk; it did not if the job
 * holds exactly the chunks before it. Anything else is not ours to guess about.
 */
async function reconcileChunk(
  session: UploadSession,
  jobId: string,
  chunk: PreparedChunk,
  operation: string,
): Promise<'retry' | { done: UploadChunk }> {
  const held = await listHeldChunks(session, jobId);
  if (held.length === chunk.index - 1) {
    session.emit({ type: 'reconciled', operation, finding: 'not-received' });
    return 'retry';
  }
  const last = held[held.length - 1];
  if (held.length === chunk.index && last && !chunkMismatch(last, chunk.index, chunk)) {
    session.logger.info(
      `${operation}: the service did receive it (the answer was lost); not sending it again`,
    );
    session.emit({ type: 'reconciled', operation, finding: 'already-applied' });
    return { done: last };
  }
  const detail = last
    ? (chunkMismatch(last, chunk.index, chunk) ?? `its last chunk is ${last.id}`)
    : 'it holds none';
  const expected = `${chunk.index - 1} or ${chunk.index}`;
  throw new UploadStateError(
    hint`${operation}: after a lost answer, upload job ${jobId} holds ${String(held.length)} chunks where ${expected} were expected (${detail}); stopped so that no corrupt image is stored; ${UPLOADER_HINTS.startsOver}`,
  );
}
