import { createHash, type Hash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ImageChangedError } from './errors.js';
import { type ChunkSpec, planChunks } from './plan.js';
import { BufferPool } from './pool.js';

/** A chunk read and hashed, ready to send. */
export interface PreparedChunk extends ChunkSpec {
  /** The chunk's bytes: a view into a pooled buffer, valid until release(). */
  data: Buffer;
  /** The 16 raw MD5 bytes. */
  md5: Buffer;
  /** RFC 1864 Content-MD5 value. */
  md5Base64: string;
  /** Hands the buffer back for reuse; `data` must not be used afterwards. Idempotent. */
  release(): void;
}

export interface ImageSource {
  path: string;
  size: number;
  chunkSize: number;
  chunks: ChunkSpec[];
  /**
   * One pass over the file from chunk `fromIndex` (1-based, default 1), in order. While the caller
   * works on chunk N, chunk N+1 is already being read and hashed. Only one pass runs at a time;
   * a new pass voids the chunks of the previous one. Release each chunk once done with it: when
   * every pooled buffer is held, asking for the next chunk throws instead of waiting forever.
   */
  read(fromIndex?: number): AsyncIterable<PreparedChunk>;
  /** SHA-256 (hex) of the whole image; throws unless a pass from chunk 1 has gone through every chunk. */
  sha256Hex(): string;
  /**
   * Throws ImageChangedError when the file is no longer what was opened: size, mtime, ctime or inode of
   * the open descriptor, or the path naming another file. A pass calls it after every chunk it reads;
   * the uploader calls it again right before completing the job.
   */
  checkUnchanged(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenImageOptions {
  /** Pooled buffers; 2 is enough for one chunk in flight plus one being prepared. */
  poolSize?: number;
}

export const DEFAULT_POOL_SIZE = 2;

/**
 * Reads go a slice at a time and each slice is hashed (MD5 of the chunk, SHA-256 of the image) right
 * after its read, while it is still in the CPU cache; between slices the event loop keeps the socket fed.
 * On the main thread, not on worker threads: measured with npm run bench (1 GiB, 32 MiB chunks, 2 cores
 * shared with the emulator), workers cost ~0.2 s of start-up CPU and 14-26 MiB each and gained no wall time.
 */
const HASH_SLICE_BYTES = 1024 * 1024;

export async function openImage(
  path: string,
  chunkSize: number,
  options: OpenImageOptions = {},
): Promise<ImageSource> {
  const file = await open(path, 'r');
  try {
    const opened = await file.stat({ bigint: true });
    return new PooledImageSource(path, file, opened, chunkSize, options);
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** A prepared chunk before the caller has it: handOver() when yielding. */
interface Prepared {
  chunk: PreparedChunk;
  handOver(): void;
}

/** What fstat must keep saying for the file to count as unchanged ('' when it does). */
function statChange(opened: BigIntStats, now: BigIntStats): string {
  if (now.ino !== opened.ino || now.dev !== opened.dev) return 'it is another file now';
  if (now.size !== opened.size) return `size ${opened.size} -> ${now.size} bytes`;
  if (now.mtimeNs !== opened.mtimeNs) return 'modification time moved';
  if (now.ctimeNs !== opened.ctimeNs) return 'status change time moved';
  return '';
}

class PooledImageSource implements ImageSource {
  readonly chunks: ChunkSpec[];
  readonly size: number;
  private readonly pool: BufferPool;
  private sha256State: Hash = createHash('sha256');
  private sha256: string | undefined;
  private passRunning = false;
  /** Chunks yielded and not yet released. */
  private heldByCaller = 0;
  /** Bumped per pass so that a release() from an earlier pass cannot free a reused buffer. */
  private pass = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: FileHandle,
    /** fstat at open: the version of the file every later check compares with. */
    private readonly opened: BigIntStats,
    readonly chunkSize: number,
    options: OpenImageOptions,
  ) {
    const size = Number(opened.size);
    this.size = size;
    this.chunks = planChunks(size, chunkSize);
    // Never more or bigger buffers than the image needs: a small image costs small memory.
    const poolSize = Math.max(1, Math.min(options.poolSize ?? DEFAULT_POOL_SIZE, this.chunks.length));
    this.pool = new BufferPool(poolSize, Math.max(1, Math.min(chunkSize, size)));
  }

  async *read(fromIndex = 1): AsyncGenerator<PreparedChunk> {
    if (this.closed) throw new Error(`the image source for '${this.path}' is closed`);
    if (!Number.isInteger(fromIndex) || fromIndex < 1 || fromIndex > this.chunks.length + 1) {
      throw new RangeError(`read(${fromIndex}): chunks are numbered 1..${this.chunks.length}`);
    }
    if (this.passRunning) throw new Error('a read pass is already running; finish or leave it first');
    this.passRunning = true;
    const pass = ++this.pass;
    this.pool.reclaimAll();
    this.heldByCaller = 0;
    const fromStart = fromIndex === 1;
    if (fromStart) {
      this.sha256 = undefined;
      this.sha256State = createHash('sha256');
    }
    const prepareFrom = (index: number) => {
      const spec = this.chunks[index - 1];
      if (!spec) return undefined;
      const prepared = this.prepare(spec, fromStart, pass);
      prepared.catch(() => {}); // handled where it is awaited; this only stops an "unhandled" crash meanwhile
      return prepared;
    };
    let next = prepareFrom(fromIndex);
    try {
      while (next) {
        if (this.heldByCaller >= this.pool.size) {
          throw new Error(
            `all ${this.pool.size} chunk buffers are still held; call release() on a chunk before asking for the next`,
          );
        }
        const prepared = await next;
        // Cheap (two stat calls per chunk): a file rewritten mid-pass is caught at the next chunk.
        await this.checkUnchanged();
        next = prepareFrom(prepared.chunk.index + 1);
        prepared.handOver();
        yield prepared.chunk;
      }
      if (fromStart) this.sha256 = this.sha256State.digest('hex');
    } finally {
      // The read ahead may still be writing into a pooled buffer: let it settle before the pass ends
      // (or give up its wait for a buffer the caller still holds).
      this.pool.abortWaiting(new Error('the read pass ended'));
      await next?.then(
        (prepared) => prepared.chunk.release(),
        () => {},
      );
      this.passRunning = false;
    }
  }

  sha256Hex(): string {
    if (this.sha256 === undefined) {
      throw new Error(
        `the SHA-256 of '${this.path}' is only known after a read pass over every chunk from 1`,
      );
    }
    return this.sha256;
  }

  async checkUnchanged(): Promise<void> {
    const change =
      statChange(this.opened, await this.file.stat({ bigint: true })) ||
      // The path may name another file (a `mv` over it) while the descriptor still reads the old one.
      (await stat(this.path, { bigint: true }).then(
        (now) =>
          now.ino !== this.opened.ino || now.dev !== this.opened.dev ? 'the path names another file now' : '',
        () => 'the path no longer exists',
      ));
    if (change) throw new ImageChangedError(this.path, change);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }

  private async prepare(spec: ChunkSpec, withSha256: boolean, pass: number): Promise<Prepared> {
    const slot = await this.pool.acquire();
    try {
      const data = (this.pool.buffers[slot] as Buffer).subarray(0, spec.length);
      const md5 = await this.readAndHash(data, spec.offset, withSha256);
      let handedOver = false;
      let released = false;
      const chunk: PreparedChunk = {
        ...spec,
        data,
        md5,
        md5Base64: md5.toString('base64'),
        release: () => {
          if (released || pass !== this.pass) return;
          released = true;
          if (handedOver) this.heldByCaller--;
          this.pool.release(slot);
        },
      };
      const handOver = () => {
        handedOver = true;
        this.heldByCaller++;
      };
      return { chunk, handOver };
    } catch (error) {
      if (pass === this.pass) this.pool.release(slot);
      throw error;
    }
  }

  /** Fills `target` from `position`, hashing each slice as it arrives; returns the MD5 of the whole. */
  private async readAndHash(target: Buffer, position: number, withSha256: boolean): Promise<Buffer> {
    const md5 = createHash('md5');
    for (let done = 0; done < target.length;) {
      const end = Math.min(done + HASH_SLICE_BYTES, target.length);
      for (let filled = done; filled < end;) {
        const { bytesRead } = await this.file.read(target, filled, end - filled, position + filled);
        if (bytesRead === 0) {
          throw new ImageChangedError(
            this.path,
            `it ended at byte ${position + filled} but was ${this.size} bytes when opened`,
          );
        }
        filled += bytesRead;
      }
      const slice = target.subarray(done, end);
      md5.update(slice);
      if (withSha256) this.sha256State.update(slice);
      done = end;
    }
    return md5.digest();
  }
}
