// publish(): look the name up, decide (on-conflict), create or resume the job, send the chunks, complete,
// verify. Each step's lost-answer handling lives next to the step (job.ts, chunks.ts).
import type { FirmwareImage, UploadChunk, UploadJob } from '../api/types.js';
import { hashImage } from '../image/hash-image.js';
import { openImage, type ImageSource } from '../image/source.js';
import { uploadPass, type PassProgress } from './chunks.js';
import { decideForName, mismatchReason, type LocalImage } from './decide.js';
import { dryRun } from './dry-run.js';
import { ConflictError, UploadInterruptedError, UploadStateError } from './errors.js';
import { NameTakenError, completeJob, createJob, deleteJob, readCompletedJob } from './job.js';
import { findFreeName, lookUpName } from './names.js';
import { buildResult } from './result.js';
import { UploadSession } from './session.js';
import type { PublishDeps, PublishRequest, PublishResult } from './types.js';
import { verifyEncrypted, verifyImage } from './verify.js';

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
    if (target.kind === 'reuse') {
      const { sha256Hex } = await local(true);
      session.logger.info(
        `firmware image "${target.name}" (${target.image.id}) already holds this file; reusing it`,
      );
      session.emit({ type: 'reused', firmwareImageId: target.image.id });
      session.emit({ type: 'phase', phase: 'done' });
      return buildResult(session, {
        outcome: 'reused',
        name: target.name,
        local: { size: source.size, sha256Hex: sha256Hex! },
        chunks: source.chunks,
        chunkSize: request.chunkSize,
        image: target.image,
      });
    }
    const progress: PassProgress = {
      jobId: target.job.id,
      chunksHeld: target.heldChunks.length,
      chunksSent: 0,
      chunksSkipped: 0,
      timeline: [],
    };
    const sent = await sendAndVerify(session, source, target, progress);
    if (sent.kind === 'mismatch') {
      if (round === MAX_ROUNDS) throw new UploadStateError(`upload job ${target.job.id}: ${sent.reason}`);
      await restart(session, target.job, mismatchReason(sent.reason));
      continue;
    }
    if (request.encryptPayload) verifyEncrypted(sent.image);
    return buildResult(session, {
      outcome: progress.chunksSkipped > 0 ? 'resumed' : 'uploaded',
      name: target.name,
      local: { size: source.size, sha256Hex: sent.sha256Hex },
      chunks: source.chunks,
      chunkSize: request.chunkSize,
      image: sent.image,
      uploadJobId: target.job.id,
      sent: progress,
    });
  }
}

/** Chunks, completion, read-back and verification for one job. */
async function sendAndVerify(
  session: UploadSession,
  source: ImageSource,
  target: Extract<Target, { kind: 'job' }>,
  progress: PassProgress,
): Promise<{ kind: 'mismatch'; reason: string } | { kind: 'done'; sha256Hex: string; image: FirmwareImage }> {
  const { job } = target;
  const total = source.chunks.length;
  let completed = false;
  try {
    session.emit({ type: 'phase', phase: 'upload' });
    const pass = await uploadPass(session, source, target.heldChunks, progress);
    if (pass.kind === 'mismatch') return pass;
    session.emit({ type: 'phase', phase: 'complete' });
    await completeJob(session, job.id, total);
    completed = true;
    const { firmware_image_id: imageId } = await readCompletedJob(session, job.id);
    session.emit({ type: 'completed', jobId: job.id, firmwareImageId: imageId });
    session.emit({ type: 'phase', phase: 'verify' });
    const image = await verifyImage(session, imageId, { size: source.size, sha256Hex: pass.sha256Hex });
    session.emit({ type: 'phase', phase: 'done' });
    return { kind: 'done', sha256Hex: pass.sha256Hex, image };
  } catch (error) {
    if (session.signal?.aborted) {
      throw new UploadInterruptedError(job.id, progress.chunksHeld, total, { cause: error });
    }
    if (!completed) {
      session.logger.info(
        `upload job ${job.id} is kept with ${progress.chunksHeld} of ${total} chunks; ` +
          'a re-run with the same name and file resumes it',
      );
    }
    throw error;
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
    const decision = decideForName(
      request.onConflict,
      state,
      await local(state.images.length > 0),
      request.encryptPayload,
    );
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
    // Jobs that had this name before we created ours are never adopted as ours after a lost answer.
    const earlierJobIds = new Set(name === state.name ? state.jobs.map((job) => job.id) : []);
    try {
      const { job } = await createJob(
        session,
        name,
        request.description,
        earlierJobIds,
        request.encryptPayload,
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

type LocalImageSource = (needHashes: boolean) => Promise<LocalImage>;

/**
 * The local file as the decision needs it: chunk lengths from the plan, plus SHA-256 and MD5s when asked
 * for (one extra read of the file, only when an image already exists under the name).
 */
function lazyLocalImage(request: PublishRequest, source: ImageSource): LocalImageSource {
  let hashed: Promise<LocalImage> | undefined;
  const planned: LocalImage = { size: source.size, chunks: source.chunks.map(({ length }) => ({ length })) };
  return (needHashes) => {
    if (needHashes) hashed ??= hashImage(request.imagePath, request.chunkSize);
    return hashed ?? Promise.resolve(planned);
  };
}
