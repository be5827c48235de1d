// Choosing where a publish() run uploads to: look the name up (only after a refused create), apply
// on-conflict and the one-writer rule (ownership.ts), and end with an image to reuse or a job to send
// chunks to: a new one, or an abandoned one claimed.
import type { FirmwareImage, UploadChunk, UploadJob } from '../api/types.js';
import { hashSource, type ImageSource } from '../image/index.js';
import {
  decideForName,
  heldChunksMismatch,
  mismatchReason,
  type LocalImage,
  type NameDecision,
} from './decide.js';
import { ConflictError, NameTakenError } from './errors.js';
import { createJob, deleteJob } from './job.js';
import { findFreeName, lookUpName } from './names.js';
import { claimJob, ownerMarker, type JobWatch, type WaitOutcome } from './ownership.js';
import type { UploadSession } from './session.js';
import type { PublishRequest } from './types.js';

/**
 * Rounds of look-up → decide → create when others keep taking the name, a claim is lost, or a resumed job
 * mismatches. Waiting for another run is bounded by its own clock (OwnershipTimings.maxWaitMs), not here.
 */
export const MAX_ROUNDS = 3;

export type Target =
  | { kind: 'reuse'; name: string; image: FirmwareImage }
  /** `createdAtMs`: when this run created the job (session time); undefined for a job it claimed. */
  | { kind: 'job'; name: string; job: UploadJob; heldChunks: UploadChunk[]; createdAtMs?: number };

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
export async function chooseTarget(
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
    const live = watch.holdsLiveJob(state, request.onConflict);
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

export async function restart(session: UploadSession, job: UploadJob, reason: string) {
  await deleteJob(session, job, reason);
  session.warn(`deleted upload job ${job.id} ("${job.name}") and started over: ${reason}`);
}

/** The local file as the decision needs it; `planned` is known without reading. */
export type LocalImageSource = ((needHashes: boolean) => Promise<LocalImage>) & { planned: LocalImage };

/**
 * The local file as the decision needs it: chunk lengths from the plan, plus SHA-256 and MD5s when asked
 * for (one extra pass over the open file, only when an image or another run's job is under the name).
 */
export function lazyLocalImage(source: ImageSource): LocalImageSource {
  let hashed: Promise<LocalImage> | undefined;
  const planned: LocalImage = { size: source.size, chunks: source.chunks.map(({ length }) => ({ length })) };
  const get = (needHashes: boolean) => {
    if (needHashes) hashed ??= hashSource(source);
    return hashed ?? Promise.resolve(planned);
  };
  return Object.assign(get, { planned });
}
