// Upload job operations with their lost-answer reconciliation: create (adopt a job our lost create made),
// delete, complete (check the job's state before re-sending the zero-length chunk), read back.
import { EMPTY_MD5_BASE64, isJobComplete, type UploadJob } from '../api/types.js';
import { ServiceError } from '../client/index.js';
import { hint } from '../common/hint.js';
import { NameTakenError, UploadStateError } from './errors.js';
import { UPLOADER_HINTS } from './hints.js';
import { listHeldChunks } from './names.js';
import { readBack } from './retry.js';
import type { UploadSession } from './session.js';

/**
 * Creates the job. `knownJobIds`: jobs with this name that existed before (never ours to adopt). After a
 * lost answer, a new job with our name, our description (the run's owner marker) and no chunks is the one
 * our request created.
 */
export async function createJob(
  session: UploadSession,
  name: string,
  description: string | undefined,
  knownJobIds: Set<string>,
  /** Ask the service to encrypt the stored payload (encrypt-payload). */
  encrypt = false,
): Promise<{ job: UploadJob; adopted: boolean }> {
  let adopted = false;
  const operation = `create upload job "${name}"`;
  try {
    const job = await session.reconciled(
      operation,
      () =>
        session.client.createUploadJob({
          name,
          ...(description !== undefined && { description }),
          ...(encrypt && { datafile_encryption: true }),
        }),
      async () => {
        const jobs = await session.repeatable('list upload jobs', () =>
          session.client.allUploadJobs({ name__eq: name }),
        );
        for (const job of jobs) {
          if (job.name !== name || knownJobIds.has(job.id) || isJobComplete(job)) continue;
          if (description !== undefined && job.description !== description) continue;
          if ((await listHeldChunks(session, job.id)).length > 0) continue;
          adopted = true;
          session.emit({ type: 'reconciled', operation, finding: 'already-applied' });
          return { done: job };
        }
        session.emit({ type: 'reconciled', operation, finding: 'not-received' });
        return 'retry';
      },
    );
    session.logger.info(`${adopted ? 'adopted' : 'created'} upload job ${job.id} for "${name}"`);
    session.emit({ type: 'job-created', jobId: job.id, name, adopted });
    return { job, adopted };
  } catch (error) {
    if (error instanceof ServiceError && error.status === 409) throw new NameTakenError(error.message);
    throw error;
  }
}

export async function deleteJob(session: UploadSession, job: UploadJob, reason: string): Promise<void> {
  try {
    await session.repeatable(`delete upload job ${job.id}`, () => session.client.deleteUploadJob(job.id));
  } catch (error) {
    // Gone already: a retried delete whose first answer was lost.
    if (!(error instanceof ServiceError && error.status === 404)) throw error;
  }
  session.emit({ type: 'job-deleted', jobId: job.id, reason });
}

/**
 * After a 400 on an append or the completion, or a job that no longer looks as this run left it (an
 * UploadStateError: e.g. an empty chunk list before completion): was the job completed by another run
 * meanwhile (a run that was slow, not gone)? Then its image is the result to check, not a failure.
 */
export async function completedMeanwhile(
  session: UploadSession,
  jobId: string,
  error: unknown,
): Promise<UploadJob | undefined> {
  const surprising =
    (error instanceof ServiceError && error.status === 400) || error instanceof UploadStateError;
  if (!surprising) return undefined;
  // A look that fails (the job deleted meanwhile…) must not hide the error that brought us here.
  const job = await session
    .repeatable(`get upload job ${jobId}`, () => session.client.getUploadJob(jobId))
    .catch(() => undefined);
  return job && isJobComplete(job) && job.firmware_image_id ? job : undefined;
}

/** Sends the zero-length chunk that completes the job; never twice. */
export async function completeJob(session: UploadSession, jobId: string, chunkCount: number): Promise<void> {
  const operation = `complete upload job ${jobId}`;
  await session.reconciled(
    operation,
    async () => {
      await session.client.appendChunk(jobId, Buffer.alloc(0), EMPTY_MD5_BASE64, operation);
    },
    async () => {
      const job = await session.repeatable(`get upload job ${jobId}`, () =>
        session.client.getUploadJob(jobId),
      );
      if (isJobComplete(job)) {
        session.emit({ type: 'reconciled', operation, finding: 'already-applied' });
        return { done: undefined };
      }
      const held = await listHeldChunks(session, jobId);
      if (held.length !== chunkCount) {
        const counts = `${held.length} chunks where ${chunkCount} were sent`;
        throw new UploadStateError(
          hint`${operation}: after a lost answer, the job holds ${counts}; stopped so that no corrupt image is stored; ${UPLOADER_HINTS.restarts}`,
        );
      }
      session.emit({ type: 'reconciled', operation, finding: 'not-received' });
      return 'retry';
    },
  );
}

/** The completed job with its firmware_image_id; reads back (the policy's readBack) in case it is late. */
export async function readCompletedJob(session: UploadSession, jobId: string): Promise<UploadJob> {
  const {
    value: job,
    done,
    reads,
  } = await readBack(
    () => session.repeatable(`get upload job ${jobId}`, () => session.client.getUploadJob(jobId)),
    (read) => isJobComplete(read) && Boolean(read.firmware_image_id),
    session,
  );
  if (done) return job;
  throw new UploadStateError(
    `upload job ${jobId} was completed but the service reports status ${job.status} ` +
      `without a firmware image id after ${reads} reads; look the job up in the portal or re-run`,
  );
}
