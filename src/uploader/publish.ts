// publish(): look the name up, decide (on-conflict, and whether another run writes the job under it),
// create, claim or wait, send the chunks, check, complete, verify. Each step's lost-answer handling lives
// next to the step (job.ts, chunks.ts); the one-writer rule in ownership.ts.
import type { FirmwareImage, UploadChunk, UploadJob } from '../api/types.js';
import { hashSource, openImage, type ImageSource } from '../image/index.js';
import { uploadPass, type PassProgress } from './chunks.js';
import {
  decideForName,
  heldChunksMismatch,
  imageMatches,
  mismatchReason,
  type LocalImage,
  type NameDecision,
} from './decide.js';
import { dryRun } from './dry-run.js';
import { ConflictError, NameTakenError, UploadInterruptedError, UploadStateError } from './errors.js';
import { mayHaveBeenTakenOver, prepareCompletion } from './finish.js';
import { completeJob, completedMeanwhile, createJob, deleteJob } from './job.js';
import { findFreeName, lookUpName } from './names.js';
import { claimJob, JobWatch, ownerMarker, releaseJob, type WaitOutcome } from './ownership.js';
import { buildResult } from './result.js';
import { UploadSession } from './session.js';
import type { PublishDeps, PublishRequest, PublishResult } from './types.js';
import { completedImage, verifyEncrypted, verifyImage } from './verify.js';

/**
 * Rounds of look-up → decide → create when others keep taking the name, a claim is lost, or a resumed job
 * mismatches. Waiting for another run is bounded by its own clock (OwnershipTimings.maxWaitMs), not here.
 */
const MAX_ROUNDS = 3;

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

type Target =
  | { kind: 'reuse'; name: string; image: FirmwareImage }
  /** `createdAtMs`: when this run created the job (session time); undefined for a job it claimed. */
  | { kind: 'job'; name: string; job: UploadJob; heldChunks: UploadChunk[]; createdAtMs?: number };

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
      if (!imageMatches(sent.image, hashed)) {
        throw new ConflictError(
          `another run completed upload job ${target.job.id} under "${target.name}" with different content ` +
            `(firmware image ${sent.image.id}); use another name`,
          target.name,
        );
      }
      if (request.encryptPayload) verifyEncrypted(sent.image);
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

/** How a wait for another run ended, from the decision taken after it. */
const WAIT_ENDED_BY: Partial<Record<NameDecision['action'], WaitOutcome>> = {
  reuse: 'completed',
  conflict: 'different-content',
  'new-upload': 'gone',
  suffix: 'gone',
  resume: 'abandoned',
  restart: 'abandoned',
};

/**
 * Look the name up, apply on-conflict, and end with an image to reuse or a job to send chunks to: a new
 * one, or an abandoned one claimed. A job another live run writes is never touched: wait or conflict.
 */
async function chooseTarget(
  session: UploadSession,
  request: PublishRequest,
  local: LocalImageSource,
  watch: JobWatch,
): Promise<Target> {
  // Create arbitrates (409 while an image or a job holds the name), so a name nobody holds needs no
  // look-up: the create comes first, and only a 409 leads to the look-up and the on-conflict decision.
  const created = await createTarget(session, request, local, request.name, new Set());
  if (created) return created;
  session.logger.info(`"${request.name}" is taken (409); looking it up`);
  for (let round = 1; round <= MAX_ROUNDS;) {
    const state = await lookUpName(session, request.name);
    const job = state.unfinishedJob;
    const live = job !== undefined && request.onConflict === 'reuse' && watch.isLive(job, state.heldChunks);
    // An existing image needs the file's SHA-256, a live job its MD5s; other held chunks are checked in the
    // pass. `suffix` compares nothing (a taken name is a new name), so it never reads the file for it.
    const needHashes = request.onConflict !== 'suffix' && (state.images.length > 0 || live);
    const decision = decideForName(request.onConflict, state, await local(needHashes), {
      jobIsLive: live,
      encrypt: request.encryptPayload,
    });
    const ended = WAIT_ENDED_BY[decision.action];
    if (ended) watch.ended(ended);
    let name = request.name;
    switch (decision.action) {
      case 'reuse':
        return { kind: 'reuse', name, image: decision.image };
      case 'conflict':
        throw decision.error;
      case 'wait':
        await watch.wait(decision.job, decision.heldChunks, local.planned.chunks.length);
        continue;
      case 'resume': {
        round++;
        const held = await claimJob(session, decision.job, local.planned.size, session.ownership);
        if (!held) {
          session.logger.info(`another run claimed upload job ${decision.job.id} meanwhile; looking again`);
          continue;
        }
        const mismatch = heldChunksMismatch(held, local.planned.chunks);
        if (mismatch) {
          await restart(session, decision.job, mismatchReason(mismatch));
          continue;
        }
        const total = local.planned.chunks.length;
        session.logger.info(
          `resuming: ${held.length} of ${total} chunks already held by upload job ${decision.job.id}`,
        );
        session.emit({
          type: 'job-resumed',
          jobId: decision.job.id,
          chunksHeld: held.length,
          chunkCount: total,
        });
        return { kind: 'job', name, job: decision.job, heldChunks: held };
      }
      case 'restart':
        round++;
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
    const earlierJobIds = new Set(name === state.name ? state.jobs.map((j) => j.id) : []);
    const target = await createTarget(session, request, local, name, earlierJobIds);
    if (target) return target;
    round++;
    session.logger.info(`"${name}" was taken meanwhile (409); looking again`);
  }
  throw new ConflictError(
    `the name "${request.name}" was taken by another upload ${MAX_ROUNDS} times while this one tried to ` +
      'create or claim its upload job; run again, or use another name',
    request.name,
  );
}

/** A new job under `name`, carrying this run's owner marker; undefined when the name is taken (409). */
async function createTarget(
  session: UploadSession,
  request: PublishRequest,
  local: LocalImageSource,
  name: string,
  earlierJobIds: Set<string>,
): Promise<Target | undefined> {
  const marker = ownerMarker(session.runToken, local.planned.size);
  try {
    const { job } = await createJob(session, name, marker, earlierJobIds, request.encryptPayload);
    return { kind: 'job', name, job, heldChunks: [], createdAtMs: session.elapsedMs() };
  } catch (error) {
    if (error instanceof NameTakenError) return undefined;
    throw error;
  }
}

async function restart(session: UploadSession, job: UploadJob, reason: string) {
  await deleteJob(session, job, reason);
  session.warn(`deleted upload job ${job.id} ("${job.name}") and started over: ${reason}`);
}

/** The local file as the decision needs it; `planned` is known without reading. */
type LocalImageSource = ((needHashes: boolean) => Promise<LocalImage>) & { planned: LocalImage };

/**
 * The local file as the decision needs it: chunk lengths from the plan, plus SHA-256 and MD5s when asked
 * for (one extra pass over the open file, only when an image or another run's job is under the name).
 */
function lazyLocalImage(source: ImageSource): LocalImageSource {
  let hashed: Promise<LocalImage> | undefined;
  const planned: LocalImage = { size: source.size, chunks: source.chunks.map(({ length }) => ({ length })) };
  const get = (needHashes: boolean) => {
    if (needHashes) hashed ??= hashSource(source);
    return hashed ?? Promise.resolve(planned);
  };
  return Object.assign(get, { planned });
}
