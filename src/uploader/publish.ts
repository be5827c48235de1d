// publish(): choose the target (target.ts: create, or look up, decide, claim or wait), send the chunks,
// check, complete, verify. Each step's lost-answer handling lives
// next to the step (job.ts, chunks.ts); the one-writer rule in ownership.ts.
import type { FirmwareImage } from '../api/types.js';
import { openImage, type ImageSource } from '../image/index.js';
import { uploadPass, type PassProgress } from './chunks.js';
import { imageConflict, isAcceptableImage, mismatchReason } from './decide.js';
import { dryRun } from './dry-run.js';
import { UploadInterruptedError, UploadStateError } from './errors.js';
import { mayHaveBeenTakenOver, prepareCompletion } from './finish.js';
import { completeJob, completedMeanwhile } from './job.js';
import { JobWatch, releaseJob } from './ownership.js';
import { buildResult } from './result.js';
import { UploadSession } from './session.js';
import {
  chooseTarget,
  lazyLocalImage,
  MAX_ROUNDS,
  restart,
  type LocalImageSource,
  type Target,
} from './target.js';
import type { PublishDeps, PublishRequest, PublishResult } from './types.js';
import { completedImage, verifyEncrypted, verifyImage } from './verify.js';

export async function publish(request: PublishRequest, deps: PublishDeps): Promise<PublishResult> {
  const session = new UploadSession(deps, request.maxRetries);
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

async function upload(session: UploadSession, request: PublishRequest, source: ImageSource) {
  const local = lazyLocalImage(source);
  const watch = new JobWatch(session, session.ownership);
  for (let round = 1; ; round++) {
    session.emit({ type: 'phase', phase: 'check-name' });
    const target = await chooseTarget(session, request, local, watch);
    if (target.kind === 'reuse') return reused(session, request, source, local, target.name, target.image);
    const progress: PassProgress = {
      jobId: target.job.id,
      chunksHeld: target.heldChunks.length,
      chunksSent: 0,
      chunksSkipped: 0,
      timeline: [],
    };
    const sent = await sendAndVerify(session, request, source, target, progress);
    if (sent.kind === 'mismatch') {
      if (round === MAX_ROUNDS) throw new UploadStateError(`upload job ${target.job.id}: ${sent.reason}`);
      await restart(session, target.job, mismatchReason(sent.reason));
      continue;
    }
    if (sent.kind === 'completed-meanwhile') {
      const hashed = await local(true);
      const encrypt = request.encryptPayload === true;
      if (!isAcceptableImage(sent.image, hashed, encrypt)) throw imageConflict(sent.image, hashed, encrypt);
      return reused(session, request, source, local, target.name, sent.image);
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

async function reused(
  session: UploadSession,
  request: PublishRequest,
  source: ImageSource,
  local: LocalImageSource,
  name: string,
  image: FirmwareImage,
): Promise<PublishResult> {
  const { sha256Hex } = await local(true);
  session.logger.info(`firmware image "${name}" (${image.id}) already holds this file; reusing it`);
  session.emit({ type: 'reused', firmwareImageId: image.id });
  session.emit({ type: 'phase', phase: 'done' });
  return buildResult(session, {
    outcome: 'reused',
    name,
    local: { size: source.size, sha256Hex: sha256Hex! },
    chunks: source.chunks,
    chunkSize: request.chunkSize,
    image,
  });
}

type Sent =
  | { kind: 'mismatch'; reason: string }
  | { kind: 'done'; sha256Hex: string; image: FirmwareImage }
  /** A 400 because another run completed the job first: its image is the candidate result. */
  | { kind: 'completed-meanwhile'; image: FirmwareImage };

/** Chunks, the check before completion, completion, read-back and verification for one job. */
async function sendAndVerify(
  session: UploadSession,
  request: PublishRequest,
  source: ImageSource,
  target: Extract<Target, { kind: 'job' }>,
  progress: PassProgress,
): Promise<Sent> {
  const { job } = target;
  const total = source.chunks.length;
  const description = request.description ?? '';
  let completed = false;
  try {
    session.emit({ type: 'phase', phase: 'upload' });
    const pass = await uploadPass(session, source, target.heldChunks, progress);
    if (pass.kind === 'mismatch') return pass;
    session.emit({ type: 'phase', phase: 'complete' });
    const ownerCheck = mayHaveBeenTakenOver(session, target.createdAtMs, progress);
    await prepareCompletion(session, source, job.id, pass.chunks, description, ownerCheck);
    await completeJob(session, job.id, total);
    completed = true;
    const made = await completedImage(session, job.id, target.name);
    session.emit({ type: 'completed', jobId: job.id, firmwareImageId: made.id });
    session.emit({ type: 'phase', phase: 'verify' });
    const local = { size: source.size, sha256Hex: pass.sha256Hex };
    const image = verifyImage(session, made, local, description);
    session.emit({ type: 'phase', phase: 'done' });
    return { kind: 'done', sha256Hex: pass.sha256Hex, image };
  } catch (error) {
    if (completed) throw error;
    const other = session.signal?.aborted ? undefined : await completedMeanwhile(session, job.id, error);
    if (other) {
      session.logger.info(`upload job ${job.id} was completed by another run meanwhile`);
      const image = await session.repeatable(`get firmware image ${other.firmware_image_id}`, () =>
        session.client.getFirmwareImage(other.firmware_image_id),
      );
      return { kind: 'completed-meanwhile', image };
    }
    // A state this run did not make (another writer, a chunk list that is not ours) is left as it is:
    // it turns abandoned after staleAfterMs. Anything else is released for a re-run to resume at once.
    if (!(error instanceof UploadStateError)) {
      await releaseJob(session, job.id);
      if (!session.signal?.aborted) {
        session.logger.info(
          `upload job ${job.id} is kept with ${progress.chunksHeld} of ${total} chunks; ` +
            'a re-run with the same name and file resumes it',
        );
      }
    }
    if (session.signal?.aborted) {
      throw new UploadInterruptedError(job.id, progress.chunksHeld, total, { cause: error });
    }
    throw error;
  }
}
