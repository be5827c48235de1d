// What to do with the name, given what the service already holds under it and what we know of the local
// file. Pure: the real run and the dry run take their decisions here, so they cannot disagree.
import type { FirmwareImage, UploadChunk, UploadJob } from '../api/types.js';
import { hashMatches } from '../image/index.js';
import { hint, input } from '../common/hint.js';
import { ConflictError } from './errors.js';
import { UPLOADER_HINTS } from './hints.js';
import { jobOwner } from './ownership.js';
import type { ConflictPolicy } from './types.js';

/** What exists under one name. `heldChunks` belongs to `unfinishedJob`. */
export interface NameState {
  name: string;
  images: FirmwareImage[];
  jobs: UploadJob[];
  unfinishedJob?: UploadJob;
  heldChunks: UploadChunk[];
}

export interface LocalChunk {
  length: number;
  /** Raw MD5, when the file has been hashed already; otherwise checked while uploading. */
  md5?: Buffer;
}

export interface LocalImage {
  size: number;
  /** Known once hashed (always when an image exists under the name: the decision needs it). */
  sha256Hex?: string;
  chunks: LocalChunk[];
}

export type NameDecision =
  | { action: 'new-upload' }
  | { action: 'reuse'; image: FirmwareImage }
  | { action: 'resume'; job: UploadJob; heldChunks: UploadChunk[] }
  | { action: 'restart'; job: UploadJob; reason: string }
  | { action: 'conflict'; error: ConflictError }
  | { action: 'suffix' }
  /** Another live run writes the same content so far: wait for it, then look again. */
  | { action: 'wait'; job: UploadJob; heldChunks: UploadChunk[] };

export function isNameFree(state: NameState): boolean {
  return state.images.length === 0 && state.jobs.length === 0;
}

/**
 * `jobIsLive`: another run is writing `state.unfinishedJob` (ownership.ts tells); `local` must then be
 * hashed, so that different content is told at once from the held chunks. `encrypt`: the run asks for an
 * encrypted payload (encrypt-payload); reuse compares like with like.
 */
export function decideForName(
  policy: ConflictPolicy,
  state: NameState,
  local: LocalImage,
  { jobIsLive = false, encrypt = false }: { jobIsLive?: boolean; encrypt?: boolean } = {},
): NameDecision {
  if (isNameFree(state)) return { action: 'new-upload' };
  if (policy === 'suffix') return { action: 'suffix' };
  const image = state.images[0];
  if (image) {
    if (policy === 'reuse' && isAcceptableImage(image, local, encrypt)) {
      return { action: 'reuse', image };
    }
    return { action: 'conflict', error: imageConflict(image, local, encrypt) };
  }
  const job = state.unfinishedJob;
  if (policy === 'fail') return { action: 'conflict', error: jobConflict(job ?? state.jobs[0]!, state) };
  if (!job) {
    const stale = state.jobs[0]!;
    return { action: 'restart', job: stale, reason: 'it completed but its firmware image no longer exists' };
  }
  // A live job is never touched: the same content so far means waiting for it, anything else a conflict.
  if (jobIsLive) {
    const difference = liveJobDifference(job, state.heldChunks, local);
    if (difference) return { action: 'conflict', error: otherRunConflict(job, difference) };
    return { action: 'wait', job, heldChunks: state.heldChunks };
  }
  // reuse: an abandoned job is ours to resume if it holds a prefix of this file, else to start over.
  const mismatch = heldChunksMismatch(state.heldChunks, local.chunks);
  if (mismatch) return { action: 'restart', job, reason: mismatchReason(mismatch) };
  return { action: 'resume', job, heldChunks: state.heldChunks };
}

export function imageMatches(image: FirmwareImage, local: Pick<LocalImage, 'size' | 'sha256Hex'>): boolean {
  return (
    image.datafile_size === local.size &&
    local.sha256Hex !== undefined &&
    image.datafile_checksum.toLowerCase() === local.sha256Hex.toLowerCase()
  );
}

/** The service marks the image's stored payload as encrypted (any of its encryption fields). */
export function isEncrypted(image: FirmwareImage): boolean {
  return image.datafile_encryption === true || image.encrypted_datafile_checksum !== undefined;
}

/** Encrypted with what a manifest of an encrypted payload needs: the encrypted digest and size. */
export function hasEncryptedPayload(image: FirmwareImage): boolean {
  return (
    image.datafile_encryption === true &&
    !!image.encrypted_datafile_checksum &&
    image.encrypted_datafile_size !== undefined
  );
}

/**
 * Like with like (encrypt-payload): an encrypted request takes only an image with an encrypted payload, an
 * unencrypted one only an image with no encryption at all. The one rule for reuse, a run that waited, and
 * an image another run completed meanwhile.
 */
export function encryptionMatches(image: FirmwareImage, encrypt: boolean): boolean {
  return encrypt ? hasEncryptedPayload(image) : !isEncrypted(image);
}

/** An image this run may take as its result: the file's bytes, encrypted as asked. */
export function isAcceptableImage(image: FirmwareImage, local: LocalImage, encrypt: boolean): boolean {
  return imageMatches(image, local) && encryptionMatches(image, encrypt);
}

/** Why a job whose chunks are not the local file's is deleted and started over. */
export function mismatchReason(detail: string): string {
  return `its chunks did not match the local file (${detail})`;
}

/** Why the held chunks are not a prefix of the local file, or undefined when they are. */
export function heldChunksMismatch(held: UploadChunk[], local: LocalChunk[]): string | undefined {
  if (held.length > local.length) {
    return `it holds ${held.length} chunks but the local file makes ${local.length}`;
  }
  for (const [i, chunk] of held.entries()) {
    const mismatch = chunkMismatch(chunk, i + 1, local[i]!);
    if (mismatch) return mismatch;
  }
  return undefined;
}

/** Why a held chunk is not local chunk `index` (1-based), or undefined when it is (MD5 if known). */
export function chunkMismatch(held: UploadChunk, index: number, local: LocalChunk): string | undefined {
  if (held.id !== index) return `its chunk ${held.id} is where chunk ${index} should be`;
  if (held.length !== local.length) {
    return `its chunk ${index} is ${held.length} bytes where the local file has ${local.length}`;
  }
  if (local.md5 && !hashMatches(held.hash, local.md5)) {
    return `its chunk ${index} has MD5 ${held.hash}, different from the local file's`;
  }
  return undefined;
}

/** Why a live job's content is not the local file's, as far as its marker and chunks tell already. */
function liveJobDifference(job: UploadJob, held: UploadChunk[], local: LocalImage): string | undefined {
  const owner = jobOwner(job);
  if (owner.kind === 'run' && owner.size !== local.size) {
    return `it uploads ${owner.size} bytes where the local file has ${local.size}`;
  }
  return heldChunksMismatch(held, local.chunks);
}

function otherRunConflict(job: UploadJob, difference: string): ConflictError {
  return new ConflictError(
    hint`another run is uploading different content under the name "${job.name}" (upload job ${job.id}: ${difference}); this run leaves that job alone: ${UPLOADER_HINTS.ownName}`,
    job.name,
  );
}

function payloadKind(image: FirmwareImage): string {
  if (hasEncryptedPayload(image)) return 'an encrypted';
  return isEncrypted(image) ? 'an encrypted (but without its encrypted checksum and size)' : 'an unencrypted';
}

/** Why an image under the name is not this run's result (content, or encryption not as asked). */
export function imageConflict(image: FirmwareImage, local: LocalImage, encrypt: boolean): ConflictError {
  const same = imageMatches(image, local);
  const likeWithLike = encryptionMatches(image, encrypt);
  const what = !same
    ? 'with different content'
    : likeWithLike
      ? 'with identical content'
      : hint`with identical content but ${payloadKind(image)} payload, where this run asks for ${encrypt ? 'an encrypted' : 'an unencrypted'} one (${input('encrypt-payload')})`;
  const fix = same && likeWithLike ? UPLOADER_HINTS.takeExisting : UPLOADER_HINTS.useAnotherName;
  const service = `service ${image.datafile_size} bytes, SHA-256 ${image.datafile_checksum}`;
  const localFile = `local file ${local.size} bytes, SHA-256 ${local.sha256Hex ?? 'not computed'}`;
  return new ConflictError(
    hint`firmware image "${image.name}" already exists (id ${image.id}) ${what}: ${service}; ${localFile}; ${fix}`,
    image.name,
  );
}

function jobConflict(job: UploadJob, state: NameState): ConflictError {
  const held = job === state.unfinishedJob ? `, holding ${state.heldChunks.length} chunks` : '';
  return new ConflictError(
    hint`an upload job named "${job.name}" already exists (id ${job.id}, status ${job.status}${held}); ${UPLOADER_HINTS.resumeOrRestart}`,
    job.name,
  );
}
