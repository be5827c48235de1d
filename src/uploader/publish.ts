// publish(): look the name up, decide (on-conflict), create or resume the job, send the chunks, complete,
// verify. Each step's lost-answer handling lives next to the step (job.ts, chunks.ts).
import type { FirmwareImage, UploadChunk, UploadJob } from '../api/types.js';
import { hashImage } from '../image/hash-image.js';
import { openImage, type ImageSource } from '../image/source.js';
import { uploadPass, type PassProgress } from './chunks.js';
import { decideForName, mismatchReason, type LocalImage } from './decide.js';
import { dryRun } from './dry-run.js';
import { ConflictError, UploadInterruptedError } from './errors.js';
import { NameTakenError, completeJob, createJob, deleteJob, readCompletedJob } from './job.js';
import { findFreeName, lookUpName } from './names.js';
import { summarizePlan } from './plan.js';
import { UploadSession } from './session.js';
import type { PublishDeps, PublishRequest, PublishResult } from './types.js';
import { verifyImage } from './verify.js';

/** Rounds of look-up → decide → create when others keep taking the name, or a resumed job mismatches. */
const MAX_ROUNDS = 3;

export async function publish(request: PublishRequest, deps: PublishDeps): Promise<PublishResult> {
  const session = new UploadSession(deps, request.retries);
  session.emit({ type: 'phase', phase: 'prepare' });
  if (request.dryRun) return dryRun(session, request);
  const source = await openImage(request.imagePath, request.chunkSize);
  try {
    return await upload(session, request, source);
  } catch (error) {
    if (session.signal?.aborted && !(error instanceof UploadInterruptedError)) {
      throw new UploadInterruptedError(undefined, 0, source.chunks.length, { cause: error });
    }
    throw error;
  } finally {
    await source.close();
  }
}

type Target =
  | { kind: 'reuse'; name: string; image: FirmwareImage }
  | { kind: 'job'; name: string; job: UploadJob; heldChunks: UploadChunk[] };

async function upload(session: UploadSession, request: PublishRequest, source: ImageSource) {
  const local = lazyLocalImage(request, source);
  for (let round = 1; ; round++) {
    session.emit({ type: 'phase', phase: 'check-name' });
    const target = await chooseTarget(session, request, local);
    if (target.kind === 'reuse') return reused(session, request, source, target.name, target.image, local);

    const { job, heldChunks, name } = target;
    const total = source.chunks.length;
    const progress: PassProgress = {
      jobId: job.id,
      chunksHeld: heldChunks.length,
      chunksSent: 0,
      chunksSkipped: 0,
      timeline: [],
    };
    let completed = false;
    try {
      session.emit({ type: 'phase', phase: 'upload' });
      const pass = await uploadPass(session, source, heldChunks, progress);
      if (pass.kind === 'mismatch') {
        if (round === MAX_ROUNDS) throw new ConflictError(`upload job ${job.id}: ${pass.reason}`, name);
        await restart(session, job, mismatchReason(pass.reason));
        continue;
      }
      session.emit({ type: 'phase', phase: 'complete' });
      await completeJob(session, job.id, total);
      completed = true;
      const finishedJob = await readCompletedJob(session, job.id);
      session.emit({ type: 'completed', jobId: job.id, firmwareImageId: finishedJob.firmware_image_id });
      session.emit({ type: 'phase', phase: 'verify' });
      const image = await verifyImage(session, finishedJob.firmware_image_id, {
        size: source.size,
        sha256Hex: pass.sha256Hex,
      });
      session.emit({ type: 'phase', phase: 'done' });
      return {
        ...imageFields(image),
        outcome: progress.chunksSkipped > 0 ? 'resumed' : 'uploaded',
        name,
        datafileChecksum: pass.sha256Hex,
        datafileSize: source.size,
        uploadJobId: job.id,
        chunkCount: total,
        chunksSent: progress.chunksSent,
        chunksResumed: progress.chunksSkipped,
        retries: session.retries,
        durationMs: session.elapsedMs(),
        warnings: session.warnings,
        timeline: progress.timeline,
        plan: summarizePlan(source.chunks, request.chunkSize),
      } satisfies PublishResult;
    } catch (error) {
      throw whereItStood(session, progress, total, completed, error);
    }
  }
}

/** Look the name up, apply on-conflict, and end with an image to reuse or a job to send chunks to. */
async function chooseTarget(
  session: UploadSession,
  request: PublishRequest,
  local: LocalImageSource,
): Promise<Target> {
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const state = await lookUpName(session, request.name);
    // Only an existing image needs the file's SHA-256 up front; held chunks are checked during the pass.
    const decision = decideForName(request.onConflict, state, await local(state.images.length > 0));
    let name = request.name;
    switch (decision.action) {
      case 'reuse':
        return { kind: 'reuse', name, image: decision.image };
      case 'conflict':
        throw decision.error;
      case 'resume': {
        const held = decision.heldChunks.length;
        const total = (await local(false)).chunks.length;
        session.logger.info(
          `resuming: ${held} of ${total} chunks already held by upload job ${decision.job.id}`,
        );
        session.emit({ type: 'job-resumed', jobId: decision.job.id, chunksHeld: held, chunkCount: total });
        return { kind: 'job', name, job: decision.job, heldChunks: decision.heldChunks };
      }
      case 'restart':
        await restart(session, decision.job, decision.reason);
        break;
      case 'suffix':
        name = await findFreeName(session, request.name);
        session.logger.info(`"${request.name}" is taken; using "${name}" (on-conflict: suffix)`);
        session.emit({ type: 'name-chosen', name, requested: request.name });
        break;
      case 'new-upload':
        break;
    }
    const knownJobIds = new Set(state.jobs.map((job) => job.id));
    try {
      const { job } = await createJob(
        session,
        name,
        request.description,
        name === state.name ? knownJobIds : new Set(),
      );
      return { kind: 'job', name, job, heldChunks: [] };
    } catch (error) {
      if (!(error instanceof NameTakenError)) throw error;
      session.logger.info(`"${name}" was taken meanwhile (409); looking again`);
    }
  }
  throw new ConflictError(
    `the name "${request.name}" was taken by another upload ${MAX_ROUNDS} times while this one tried to ` +
      'create its upload job; run again, or use another name',
    request.name,
  );
}

async function restart(session: UploadSession, job: UploadJob, reason: string) {
  await deleteJob(session, job, reason);
  session.warn(`deleted upload job ${job.id} ("${job.name}") and started over: ${reason}`);
}

/**
 * The local file as the decision needs it: chunk lengths from the plan, plus SHA-256 and MD5s when asked
 * for (one extra read of the file, only when an image already exists under the name).
 */
type LocalImageSource = (needHashes: boolean) => Promise<LocalImage>;

function lazyLocalImage(request: PublishRequest, source: ImageSource): LocalImageSource {
  let hashed: Promise<LocalImage> | undefined;
  const planned: LocalImage = { size: source.size, chunks: source.chunks.map(({ length }) => ({ length })) };
  return (needHashes) => {
    if (needHashes) hashed ??= hashImage(request.imagePath, request.chunkSize);
    return hashed ?? Promise.resolve(planned);
  };
}

async function reused(
  session: UploadSession,
  request: PublishRequest,
  source: ImageSource,
  name: string,
  image: FirmwareImage,
  local: LocalImageSource,
): Promise<PublishResult> {
  const { sha256Hex } = await local(true);
  session.logger.info(`firmware image "${name}" (${image.id}) already holds this file; reusing it`);
  session.emit({ type: 'reused', firmwareImageId: image.id });
  session.emit({ type: 'phase', phase: 'done' });
  return {
    ...imageFields(image),
    outcome: 'reused',
    name,
    datafileChecksum: sha256Hex!,
    datafileSize: source.size,
    chunkCount: source.chunks.length,
    chunksSent: 0,
    chunksResumed: 0,
    retries: session.retries,
    durationMs: session.elapsedMs(),
    warnings: session.warnings,
    timeline: [],
    plan: summarizePlan(source.chunks, request.chunkSize),
  };
}

function imageFields(image: FirmwareImage) {
  return {
    firmwareImageId: image.id,
    datafileUrl: image.datafile,
    ...(image.short_datafile && { shortDatafileUrl: image.short_datafile }),
  };
}

/** A failure after the job exists keeps the job (a re-run resumes it); cancellation says where it stood. */
function whereItStood(
  session: UploadSession,
  progress: PassProgress,
  total: number,
  completed: boolean,
  error: unknown,
): unknown {
  if (session.signal?.aborted) {
    return new UploadInterruptedError(progress.jobId, progress.chunksHeld, total, { cause: error });
  }
  if (!completed)
    session.logger.info(
      `upload job ${progress.jobId} is kept with ${progress.chunksHeld} of ${total} chunks; ` +
        'a re-run with the same name and file resumes it',
    );
  return error;
}
