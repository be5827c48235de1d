// The emulator's records and stored bytes. Chunk bodies stream straight to disk; MD5 of each chunk and
// SHA-256 of the whole image are computed once per byte as the bytes arrive.
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_CHUNK_SIZE, type UploadJobRequest } from '../api/types.js';
import { ApiError, notFound, found } from './errors.js';
import { encryptFile, hashFile, WRITE_BATCH_BYTES, writeAll } from './files.js';
import { ID_PATTERN, newId, timestamp } from './ids.js';
import {
  completionProblem,
  ensureNameFree,
  EMPTY_MD5_HEX,
  validateJobRequest,
  type ChunkRecord,
  type ImageRecord,
  type JobRecord,
  type Writer,
} from './records.js';
import { markConcurrent, noteWriter, type Emit } from './writers.js';

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
    const fields = validateJobRequest(request);
    const name = fields.name ?? '';
    ensureNameFree(name, this.jobs.values(), this.images.values());
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
    const fields = validateJobRequest(request);
    if (fields.name !== undefined && fields.name !== job.name)
      ensureNameFree(fields.name, this.jobs.values(), this.images.values(), job);
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
    return found(ID_PATTERN.test(jobId) ? this.jobs.get(jobId) : undefined, 'Upload job', jobId);
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
    if (job.appendsInFlight > 0) markConcurrent(this.emit, job, 'append-chunk');
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
      noteWriter(this.emit, job, writer, 'append-chunk');
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
    if (job.appendsInFlight > 0) markConcurrent(this.emit, job, 'complete-job');
    noteWriter(this.emit, job, writer, 'complete-job');
    const problem = completionProblem(job, this.minChunkSize);
    if (problem) {
      this.emit({ type: 'completion-rejected', operation: 'complete-job', jobId, detail: problem });
      throw new ApiError(400, problem);
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
    const fields = validateJobRequest(request);
    const name = fields.name ?? '';
    ensureNameFree(name, this.jobs.values(), this.images.values());
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

  /** TEST-ONLY: moves the job's updated_at back by `ms`, as if nobody had touched it for that long. */
  backdate(jobId: string, ms: number): void {
    const job = this.job(jobId);
    const iso = new Date(Date.parse(job.updatedAt) - ms).toISOString();
    job.updatedAt = `${iso.slice(0, -1)}000Z`; // microseconds, as timestamp() writes them
  }

  // ---- firmware images ----

  image(imageId: string): ImageRecord {
    return found(ID_PATTERN.test(imageId) ? this.images.get(imageId) : undefined, 'Firmware image', imageId);
  }

  allImages(): ImageRecord[] {
    return [...this.images.values()];
  }

  // ---- rules ----
}
