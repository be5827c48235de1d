// The two ways clients break the one-writer rule of the API, recorded as violations (concurrent-append,
// second-writer) on the job they corrupt or share.
import type { JobRecord, Writer } from './records.js';
import type { EmulatorEvent } from './types.js';

export type Emit = (event: Omit<EmulatorEvent, 'time'>) => void;
type ChunkPost = 'append-chunk' | 'complete-job';

/**
 * Two writers on one job, even when their requests never overlap (a slow link): a chunk POST from
 * another connection than the last writer's while that one is still open. A client that reconnects
 * (after a reset or a stall) has closed its old connection first, so it stays one writer.
 */
export function noteWriter(
  emit: Emit,
  job: JobRecord,
  writer: Writer | undefined,
  operation: ChunkPost,
): void {
  if (!writer) return;
  const last = job.lastWriter;
  job.lastWriter = writer;
  if (!last || last.id === writer.id || job.corrupted || !last.isConnected()) return;
  emit({
    type: 'second-writer',
    operation,
    jobId: job.id,
    chunkId: job.chunks.length + 1,
    detail: `a chunk POST from ${writer.id} while ${last.id}, which wrote this job last, is still connected: two clients write one job`,
  });
}

/** Two chunk POSTs in flight on one job at once: the service's stored bytes no longer follow its list. */
export function markConcurrent(emit: Emit, job: JobRecord, operation: ChunkPost): void {
  job.corrupted = true;
  emit({
    type: 'concurrent-append',
    operation,
    jobId: job.id,
    chunkId: job.chunks.length + 1,
    detail: 'a chunk POST arrived while another was in flight on the same job: the image is corrupted',
  });
}
