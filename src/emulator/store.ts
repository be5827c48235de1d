// The emulator's records and stored bytes. Chunk bodies stream straight to disk; MD5 of each chunk and
// SHA-256 of the whole image are computed once per byte as the bytes arrive.
import { createCipheriv, createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, writevSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import type { FirmwareImage, UploadChunk, UploadJob, UploadJobRequest } from '../api/types.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MIN_CHUNK_SIZE } from '../api/types.js';
import { ApiError, type FieldError } from './errors.js';
import { ID_PATTERN, newId, timestamp } from './ids.js';
import type { EmulatorEvent } from './types.js';

const EMPTY_MD5_HEX = 'd41d8cd98f00b204e9800998ecf8427e';
/** Arriving pieces are gathered up to this size and written with one writev (no copy). */
const WRITE_BATCH_BYTES = 1024 * 1024;

interface ChunkRecord {
  id: number;
  length: number;
  md5Hex: string;
  createdAt: string;
}

interface JobRecord {
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

interface ImageRecord {
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

type Emit = (event: Omit<EmulatorEvent, 'time'>) => void;

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

function notFound(what: string, id: string | number): ApiError {
  return new ApiError(404, `${what} ${id} not found`);
}

export class Store {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly images = new Map<string, ImageRecord>();

  constructor(
    private readonly dataDir: string,
    private readonly emit: Emit,
    /** Every chunk but the last must be at least this long (S3's multipart rule). */
    private readonly minChunkSize = MIN_CHUNK_SIZE,
    /** false: `datafile_encryption` is ignored, as by a service that cannot encrypt. */
    private readonly encryption = true,
  ) {}

  async init(): Promise<void> {
    await mkdir(join(this.dataDir, 'uploads'), { recursive: true });
    await mkdir(join(this.dataDir, 'images'), { recursive: true });
  }

  // ---- upload jobs ----

  async createJob(request: UploadJobRequest): Promise<JobRecord> {
    const fields = this.validateJobRequest(request);
    const name = fields.name ?? '';
    this.ensureNameFree(name);
    const id = newId();
    const now = timestamp();
    const job: JobRecord = {
      id,
      name,
      description: fields.description ?? '',
      status: 'not_started',
      firmwareImageId: '',
      createdAt: now,
      updatedAt: now,
      chunks: [],
      file: join(this.dataDir, 'uploads', `${id}.bin`),
      size: 0,
      sha256: createHash('sha256'),
      appendsInFlight: 0,
      corrupted: false,
      encrypt: fields.datafile_encryption === true && this.encryption,
    };
    await writeFile(job.file, '');
    this.jobs.set(id, job);
    this.emit({ type: 'job-created', operation: 'create-job', jobId: id, detail: name });
    return job;
  }

  updateJob(jobId: string, request: UploadJobRequest): JobRecord {
    const job = this.job(jobId);
    const fields = this.validateJobRequest(request);
    if (fields.name !== undefined && fields.name !== job.name) this.ensureNameFree(fields.name, job);
    if (fields.name !== undefined) job.name = fields.name;
    if (fields.description !== undefined) job.description = fields.description;
    job.updatedAt = timestamp();
    this.emit({ type: 'job-updated', operation: 'update-job', jobId, detail: job.name });
    return job;
  }

  async deleteJob(jobId: string): Promise<void> {
    const job = this.job(jobId);
    this.jobs.delete(jobId);
    if (job.status !== 'completed') await rm(job.file, { force: true });
    this.emit({ type: 'job-deleted', operation: 'delete-job', jobId });
  }

  job(jobId: string): JobRecord {
    const job = ID_PATTERN.test(jobId) ? this.jobs.get(jobId) : undefined;
    if (!job) throw notFound('Upload job', jobId);
    return job;
  }

  allJobs(): JobRecord[] {
    return [...this.jobs.values()];
  }

  chunk(jobId: string, chunkId: number): ChunkRecord {
    const chunk = this.job(jobId).chunks.find((c) => c.id === chunkId);
    if (!chunk) throw notFound(`Chunk of upload job ${jobId}:`, chunkId);
    return chunk;
  }

  /** Refuses a chunk before its body is read: unknown or completed job. */
  ensureAcceptsChunks(jobId: string): JobRecord {
    const job = this.job(jobId);
    if (job.status === 'completed') {
      throw new ApiError(400, `Upload job ${jobId} is already completed; no more chunks can be posted to it`);
    }
    return job;
  }

  /**
   * Appends one chunk, streamed from `body`. Its bytes go to the job's file as they arrive; when the MD5
   * does not match `contentMd5Base64` (or the body breaks off) they are cut off again and the job is
   * unchanged. Two appends in flight on one job both write at the same offset, as two S3 parts with the
   * same number would: the image loses bytes, which the image's size and checksum then show.
   */
  async appendChunk(
    jobId: string,
    body: AsyncIterable<Buffer> | Iterable<Buffer>,
    contentMd5Base64: string,
    writer?: Writer,
  ): Promise<ChunkRecord> {
    const job = this.ensureAcceptsChunks(jobId);
    if (job.appendsInFlight > 0) this.markConcurrent(job, 'append-chunk');
    job.appendsInFlight++;
    const start = job.size;
    const md5 = createHash('md5');
    const sha256 = job.sha256.copy();
    let length = 0;
    const handle = await open(job.file, 'r+');
    try {
      let batch: Buffer[] = [];
      let batchBytes = 0;
      const flush = () => {
        writeAll(handle, batch, start + length - batchBytes);
        batch = [];
        batchBytes = 0;
      };
      for await (const piece of body) {
        md5.update(piece);
        sha256.update(piece);
        length += piece.length;
        batch.push(piece);
        batchBytes += piece.length;
        if (batchBytes >= WRITE_BATCH_BYTES) flush();
      }
      flush();
      const md5Base64 = md5.digest('base64');
      if (md5Base64 !== contentMd5Base64) {
        throw new ApiError(
          400,
          `Content-MD5 ${contentMd5Base64} does not match the MD5 of the body (${md5Base64}); the chunk was discarded`,
          [{ name: 'Content-MD5', message: 'does not match the body' }],
        );
      }
      if (!this.jobs.has(jobId)) throw notFound('Upload job', jobId); // deleted meanwhile
      const chunk: ChunkRecord = {
        id: job.chunks.length + 1,
        length,
        md5Hex: Buffer.from(md5Base64, 'base64').toString('hex'),
        createdAt: timestamp(),
      };
      this.noteWriter(job, writer, 'append-chunk');
      job.chunks.push(chunk);
      job.size = job.corrupted ? Math.max(job.size, start + length) : start + length;
      job.sha256 = sha256;
      job.status = 'in_progress';
      job.updatedAt = chunk.createdAt;
      this.emit({
        type: 'chunk-stored',
        operation: 'append-chunk',
        jobId,
        chunkId: chunk.id,
        detail: `${length} bytes`,
      });
      return chunk;
    } catch (error) {
      // Cut the partial chunk off again; after a concurrent append the bytes are garbage anyway.
      if (!job.corrupted) await handle.truncate(start);
      this.emit({
        type: 'chunk-rejected',
        operation: 'append-chunk',
        jobId,
        detail: (error as Error).message,
      });
      throw error;
    } finally {
      await handle.close();
      job.appendsInFlight--;
    }
  }

  /** The zero-length chunk: turns the job into a firmware image, or refuses as S3 would at the end. */
  async completeJob(jobId: string, writer?: Writer): Promise<{ job: JobRecord; chunk: ChunkRecord }> {
    const job = this.ensureAcceptsChunks(jobId);
    if (job.appendsInFlight > 0) this.markConcurrent(job, 'complete-job');
    this.noteWriter(job, writer, 'complete-job');
    const reject = (message: string) => {
      this.emit({ type: 'completion-rejected', operation: 'complete-job', jobId, detail: message });
      return new ApiError(400, message);
    };
    if (job.chunks.length === 0)
      throw reject('The first chunk of an upload job cannot be zero length: there is no data to complete');
    const tooSmall = job.chunks.slice(0, -1).find((c) => c.length < this.minChunkSize);
    if (tooSmall) {
      const limit = this.minChunkSize === MIN_CHUNK_SIZE ? ' (5 MiB)' : '';
      throw reject(
        `Chunk ${tooSmall.id} is ${tooSmall.length} bytes: every chunk but the last must be at least ${this.minChunkSize} bytes${limit}; the upload cannot be completed`,
      );
    }
    const chunk: ChunkRecord = {
      id: job.chunks.length + 1,
      length: 0,
      md5Hex: EMPTY_MD5_HEX,
      createdAt: timestamp(),
    };
    const image = await this.createImage(job);
    job.status = 'completed';
    job.firmwareImageId = image.id;
    job.chunks = [];
    job.updatedAt = timestamp();
    this.emit({
      type: 'job-completed',
      operation: 'complete-job',
      jobId,
      chunkId: chunk.id,
      detail: `image ${image.id}`,
    });
    return { job, chunk };
  }

  private async createImage(job: JobRecord): Promise<ImageRecord> {
    const sha256Hex = job.corrupted ? await hashFile(job.file) : job.sha256.copy().digest('hex');
    return this.storeImage(job, { file: job.file, size: job.size, sha256Hex });
  }

  /** The single multipart POST of an image (up to 100 MiB): validated and named like an upload job. */
  async createImageFromBytes(request: UploadJobRequest & { data: Buffer }): Promise<ImageRecord> {
    const fields = this.validateJobRequest(request);
    const name = fields.name ?? '';
    this.ensureNameFree(name);
    const file = join(this.dataDir, 'uploads', `${newId()}.bin`);
    await writeFile(file, request.data);
    const sha256Hex = createHash('sha256').update(request.data).digest('hex');
    return this.storeImage(
      {
        name,
        description: fields.description ?? '',
        encrypt: fields.datafile_encryption === true && this.encryption,
      },
      { file, size: request.data.length, sha256Hex },
    );
  }

  private async storeImage(
    meta: { name: string; description: string; encrypt: boolean },
    bytes: { file: string; size: number; sha256Hex: string },
  ): Promise<ImageRecord> {
    const id = newId();
    const file = join(this.dataDir, 'images', `${id}.bin`);
    await rename(bytes.file, file);
    const now = timestamp();
    const image: ImageRecord = {
      id,
      name: meta.name,
      description: meta.description,
      file,
      size: bytes.size,
      sha256Hex: bytes.sha256Hex,
      ...(meta.encrypt && { encrypted: await encryptFile(file, `${file}.enc`) }),
      createdAt: now,
      updatedAt: now,
    };
    this.images.set(id, image);
    return image;
  }

  /**
   * Two writers on one job, even when their requests never overlap (a slow link): a chunk POST from
   * another connection than the last writer's while that one is still open. A client that reconnects
   * (after a reset or a stall) has closed its old connection first, so it stays one writer.
   */
  private noteWriter(job: JobRecord, writer: Writer | undefined, operation: 'append-chunk' | 'complete-job') {
    if (!writer) return;
    const last = job.lastWriter;
    job.lastWriter = writer;
    if (!last || last.id === writer.id || job.corrupted || !last.isConnected()) return;
    this.emit({
      type: 'second-writer',
      operation,
      jobId: job.id,
      chunkId: job.chunks.length + 1,
      detail: `a chunk POST from ${writer.id} while ${last.id}, which wrote this job last, is still connected: two clients write one job`,
    });
  }

  /** TEST-ONLY: moves the job's updated_at back by `ms`, as if nobody had touched it for that long. */
  backdate(jobId: string, ms: number): void {
    const job = this.job(jobId);
    const iso = new Date(Date.parse(job.updatedAt) - ms).toISOString();
    job.updatedAt = `${iso.slice(0, -1)}000Z`; // microseconds, as timestamp() writes them
  }

  private markConcurrent(job: JobRecord, operation: 'append-chunk' | 'complete-job'): void {
    job.corrupted = true;
    this.emit({
      type: 'concurrent-append',
      operation,
      jobId: job.id,
      chunkId: job.chunks.length + 1,
      detail: 'a chunk POST arrived while another was in flight on the same job: the image is corrupted',
    });
  }

  // ---- firmware images ----

  image(imageId: string): ImageRecord {
    const image = ID_PATTERN.test(imageId) ? this.images.get(imageId) : undefined;
    if (!image) throw notFound('Firmware image', imageId);
    return image;
  }

  allImages(): ImageRecord[] {
    return [...this.images.values()];
  }

  // ---- rules ----

  private validateJobRequest(request: unknown): UploadJobRequest {
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
    if (errors.length > 0) {
      throw new ApiError(
        400,
        `Validation error: ${errors.map((e) => `${e.name} ${e.message}`).join('; ')}`,
        errors,
      );
    }
    return {
      name: name as string | undefined,
      description: description as string | undefined,
      datafile_encryption: encryption as boolean | undefined,
    };
  }

  /** A name belongs to one upload job or firmware image per account (the job's own image aside). */
  private ensureNameFree(name: string, self?: JobRecord): void {
    const job = [...this.jobs.values()].find((j) => j !== self && j.name === name);
    const image = [...this.images.values()].find((i) => i.name === name && i.id !== self?.firmwareImageId);
    if (job || image) {
      const holder = job ? `upload job ${job.id}` : `firmware image ${image!.id}`;
      throw new ApiError(409, `The name '${name}' is already used by ${holder}`, [
        { name: 'name', message: 'already in use' },
      ]);
    }
  }
}

/**
 * Synchronous on purpose: a 1 MiB write into the page cache takes well under a millisecond, and the
 * promise + thread-pool hop per write cost the emulator about 2 s of CPU per GiB on Node 24 (bench:
 * 8.2 -> 6.0 s/GiB), CPU it takes from the client it shares the machine with.
 */
function writeAll(handle: FileHandle, buffers: Buffer[], position: number): void {
  let pending = buffers;
  while (pending.length > 0) {
    const bytesWritten = writevSync(handle.fd, pending, position);
    position += bytesWritten;
    pending = skipBytes(pending, bytesWritten);
  }
}

/** What is left of `buffers` after the first `count` bytes (writev may write only part). */
function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (count >= buffer.length) count -= buffer.length;
    else {
      rest.push(count > 0 ? buffer.subarray(count) : buffer);
      count = 0;
    }
  }
  return rest;
}

/**
 * The encrypted copy: AES-256-CTR under a fresh key, the IV in front (so its size differs from the
 * plain image's, as the service's does), with its SHA-256 and size for the manifest.
 */
async function encryptFile(
  plainFile: string,
  encryptedFile: string,
): Promise<NonNullable<ImageRecord['encrypted']>> {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), iv);
  const hash = createHash('sha256').update(iv);
  let size = iv.length;
  const out = createWriteStream(encryptedFile);
  out.write(iv);
  await pipeline(
    createReadStream(plainFile),
    cipher,
    async function* (source) {
      for await (const piece of source as AsyncIterable<Buffer>) {
        hash.update(piece);
        size += piece.length;
        yield piece;
      }
    },
    out,
  );
  return { file: encryptedFile, size, sha256Hex: hash.digest('hex') };
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file, { highWaterMark: WRITE_BATCH_BYTES }))
    hash.update(piece as Buffer);
  return hash.digest('hex');
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

export type { ChunkRecord, ImageRecord, JobRecord };
