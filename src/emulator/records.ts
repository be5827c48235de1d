// The emulator's records, as the store keeps them, and their wire views (what the API answers).
import { md5Hex } from '../image/md5.js';
import type { Hash } from 'node:crypto';
import type { FirmwareImage, UploadChunk, UploadJob, UploadJobRequest } from '../api/types.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MIN_CHUNK_SIZE } from '../api/types.js';
import { ApiError, validationErrors, type FieldError } from './errors.js';

export interface ChunkRecord {
  id: number;
  length: number;
  md5Hex: string;
  createdAt: string;
}

export interface JobRecord {
  id: string;
  name: string;
  description: string;
  status: 'not_started' | 'in_progress' | 'completed';
  firmwareImageId: string;
  createdAt: string;
  updatedAt: string;
  /** Data chunks stored so far; emptied on completion, as the service does. */
  chunks: ChunkRecord[];
  /** Where the image is assembled until completion. */
  file: string;
  /** Bytes committed to `file`. */
  size: number;
  /** SHA-256 of the committed bytes, carried forward chunk by chunk. */
  sha256: Hash;
  appendsInFlight: number;
  /** The connection that stored the last chunk (none for seeded chunks). */
  lastWriter?: Writer;
  /** Two appends overlapped: the stored bytes no longer follow the chunk list. */
  corrupted: boolean;
  /** `datafile_encryption` was asked for (and the emulator encrypts). */
  encrypt: boolean;
}

export interface ImageRecord {
  id: string;
  name: string;
  description: string;
  file: string;
  size: number;
  sha256Hex: string;
  /** The encrypted copy the service keeps when `datafile_encryption` was asked for. */
  encrypted?: { file: string; size: number; sha256Hex: string };
  createdAt: string;
  updatedAt: string;
}

/** Who sent a chunk POST: one client connection (the emulator cannot know more of a client). */
export interface Writer {
  id: string;
  isConnected(): boolean;
}

/** The foreign-writer fault's chunks: another client that stays connected. */
export const FOREIGN_WRITER: Writer = {
  id: 'another client (foreign-writer fault)',
  isConnected: () => true,
};

/** The body of a job create/update (and the multipart image POST): its fields, checked as the service does. */
export function validateJobRequest(request: unknown): UploadJobRequest {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new ApiError(400, 'The request body must be a JSON object with name and description');
  }
  const { name, description, datafile_encryption: encryption } = request as Record<string, unknown>;
  const errors: FieldError[] = [];
  const check = (field: string, value: unknown, max: number) => {
    if (value === undefined) return;
    if (typeof value !== 'string') errors.push({ name: field, message: 'must be a string' });
    else if (value.length > max)
      errors.push({ name: field, message: `must be at most ${max} characters (got ${value.length})` });
  };
  check('name', name, MAX_NAME_LENGTH);
  check('description', description, MAX_DESCRIPTION_LENGTH);
  if (encryption !== undefined && typeof encryption !== 'boolean')
    errors.push({ name: 'datafile_encryption', message: 'must be a boolean' });
  if (errors.length > 0) throw validationErrors(errors);
  return {
    name: name as string | undefined,
    description: description as string | undefined,
    datafile_encryption: encryption as boolean | undefined,
  };
}

/** The MD5 of nothing, in the hex the chunk list shows (the completing chunk's hash). */
export const EMPTY_MD5_HEX = md5Hex(Buffer.alloc(0));

/** Why the zero-length chunk cannot complete the job (S3's rules, checked only at the end), if it cannot. */
export function completionProblem(job: JobRecord, minChunkSize: number): string | undefined {
  if (job.chunks.length === 0)
    return 'The first chunk of an upload job cannot be zero length: there is no data to complete';
  const tooSmall = job.chunks.slice(0, -1).find((c) => c.length < minChunkSize);
  if (!tooSmall) return undefined;
  const limit = minChunkSize === MIN_CHUNK_SIZE ? ' (5 MiB)' : '';
  return `Chunk ${tooSmall.id} is ${tooSmall.length} bytes: every chunk but the last must be at least ${minChunkSize} bytes${limit}; the upload cannot be completed`;
}

/** A name belongs to one upload job or firmware image per account (the job's own image aside). */
export function ensureNameFree(
  name: string,
  jobs: Iterable<JobRecord>,
  images: Iterable<ImageRecord>,
  self?: JobRecord,
): void {
  const job = [...jobs].find((j) => j !== self && j.name === name);
  const image = [...images].find((i) => i.name === name && i.id !== self?.firmwareImageId);
  if (job || image) {
    const holder = job ? `upload job ${job.id}` : `firmware image ${image!.id}`;
    throw new ApiError(409, `The name '${name}' is already used by ${holder}`, [
      { name: 'name', message: 'already in use' },
    ]);
  }
}

// ---- wire views ----

export function jobView(job: JobRecord): UploadJob {
  const completed = job.status === 'completed';
  return {
    object: 'upload-job',
    id: job.id,
    name: job.name,
    description: job.description,
    status: job.status,
    completed,
    complete: completed,
    firmware_image_id: job.firmwareImageId,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    etag: job.updatedAt,
  };
}

export function chunkView(jobId: string, chunk: ChunkRecord): UploadChunk {
  return {
    object: 'upload-info',
    id: chunk.id,
    length: chunk.length,
    hash: chunk.md5Hex,
    upload_job_id: jobId,
    created_at: chunk.createdAt,
    updated_at: chunk.createdAt,
    etag: chunk.createdAt,
  };
}

export function imageView(image: ImageRecord, baseUrl: string, shortDatafile: boolean): FirmwareImage {
  return {
    object: 'firmware-image',
    id: image.id,
    name: image.name,
    description: image.description,
    datafile: `${baseUrl}${datafilePath(image.id)}`,
    datafile_checksum: image.sha256Hex,
    datafile_size: image.size,
    ...(shortDatafile ? { short_datafile: `${baseUrl}${shortDatafilePath(image.id)}` } : {}),
    // Only on an encrypted image, so a plain one looks as it always did.
    ...(image.encrypted && {
      datafile_encryption: true,
      encrypted_datafile_checksum: image.encrypted.sha256Hex,
      encrypted_datafile_size: image.encrypted.size,
    }),
    created_at: image.createdAt,
    updated_at: image.updatedAt,
    etag: image.updatedAt,
  };
}

/** Where the stored bytes are downloaded from, like a bucket URL (no auth). */
export const datafilePath = (imageId: string) => `/firmware-catalog-media/${imageId}.bin`;
export const shortDatafilePath = (imageId: string) => `/s/${imageId}`;
