import { createHash, type Hash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ImageChangedError } from './errors.js';
import { type ChunkSpec, planChunks } from './plan.js';

/**
 * A chunk's request body: each open() re-reads the chunk's bytes from the file, so a first send and
 * every re-send carry what is on disk now, never a copy held in memory.
 */
export interface ChunkBody {
  length: number;
  /**
   * The bytes in slices from a small ring of buffers of this open() alone (see SEND_RING). The last
   * slice is only yielded once fstat shows the file unchanged since it was opened; otherwise the
   * iteration throws ImageChangedError, so a chunk changed by a write never goes out complete.
   */
  open(): AsyncIterable<Buffer>;
}

/** A chunk hashed by the hash pass, ready to send. */
export interface PreparedChunk extends ChunkSpec {
  /** The 16 raw MD5 bytes (from the hash pass). */
  md5: Buffer;
  /** RFC 1864 Content-MD5 value. */
  md5Base64: string;
  body: ChunkBody;
}

export interface ImageSource {
  path: string;
  size: number;
  chunkSize: number;
  chunks: ChunkSpec[];
  /**
   * The hash pass from chunk `fromIndex` (1-based, default 1), in order: while the caller sends chunk
   * N, chunk N+1 is being hashed, and no further. Only one pass runs at a time.
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
  /**
   * Throws ImageChangedError when the file changed (checkUnchanged) or the chunk's bytes no longer have
   * the hash pass's MD5 (a full re-read: only after the service refused or misstored a send).
   */
  checkChunk(chunk: PreparedChunk): Promise<void>;
  close(): Promise<void>;
}

/**
 * The hash pass reads a slice at a time into one reused buffer and hashes it right after the read
 * (MD5 of the chunk, SHA-256 of the image), while it is still in the CPU cache.
 */
const HASH_SLICE_BYTES = 1024 * 1024;
/**
 * The send pass re-reads in slices this size: small enough that the slices the HTTP client and the
 * socket still hold stay a few MiB at most, large enough to cost no throughput.
 */
const SEND_SLICE_BYTES = 256 * 1024;
/**
 * Buffers a send cycles through. A fresh buffer per slice would leave ~40 MiB of garbage between
 * collections (measured). Reuse is safe: undici writes each slice with socket.write() and, the slice
 * being over the socket's high-water mark, waits for 'drain' (everything handed to the kernel) before
 * it asks for the next one; so it never holds more than one. Four is a margin, and should that ever
 * change, the service's Content-MD5 check refuses the chunk rather than store wrong bytes.
 */
const SEND_RING = 4;

/**
 * Both passes read with positional reads on one descriptor. The send pass does not hash its re-read
 * again: fstat before its last slice tells a write since open (any write moves ctime; size, mtime and
 * inode too), for two system calls per chunk where a CRC-32 of both passes cost ~0.6 s/GiB (the bench's
 * A/B, README). A change fstat cannot see (a write within the same timestamp tick as the previous one, on
 * a kernel without fine-grained timestamps) goes out and the service's Content-MD5 check refuses it; the
 * uploader then re-hashes the chunk (checkChunk) and fails with ImageChangedError, never a retry.
 */
export async function openImage(path: string, chunkSize: number): Promise<ImageSource> {
  const file = await open(path, 'r');
  try {
    const opened = await file.stat({ bigint: true });
    return new FileImageSource(path, file, opened, chunkSize);
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** What fstat must keep saying for the file to count as unchanged ('' when it does). */
function statChange(opened: BigIntStats, now: BigIntStats): string {
  if (now.ino !== opened.ino || now.dev !== opened.dev) return 'it is another file now';
  if (now.size !== opened.size) return `size ${opened.size} -> ${now.size} bytes`;
  if (now.mtimeNs !== opened.mtimeNs) return 'modification time moved';
  if (now.ctimeNs !== opened.ctimeNs) return 'status change time moved';
  return '';
}

class FileImageSource implements ImageSource {
  readonly chunks: ChunkSpec[];
  readonly size: number;
  private readonly hashSlice: Buffer;
  private sha256State: Hash = createHash('sha256');
  private sha256: string | undefined;
  private passRunning = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: FileHandle,
    /** fstat at open: the version of the file every later check compares with. */
    private readonly opened: BigIntStats,
    readonly chunkSize: number,
  ) {
    const size = Number(opened.size);
    this.size = size;
    this.chunks = planChunks(size, chunkSize);
    // Never bigger than the image: a small image costs small memory.
    this.hashSlice = Buffer.allocUnsafeSlow(Math.max(1, Math.min(HASH_SLICE_BYTES, size)));
  }

  async *read(fromIndex = 1): AsyncGenerator<PreparedChunk> {
    if (this.closed) throw new Error(`the image source for '${this.path}' is closed`);
    if (!Number.isInteger(fromIndex) || fromIndex < 1 || fromIndex > this.chunks.length + 1) {
      throw new RangeError(`read(${fromIndex}): chunks are numbered 1..${this.chunks.length}`);
    }
    if (this.passRunning) throw new Error('a read pass is already running; finish or leave it first');
    this.passRunning = true;
    const fromStart = fromIndex === 1;
    if (fromStart) {
      this.sha256 = undefined;
      this.sha256State = createHash('sha256');
    }
    const prepareFrom = (index: number) => {
      const spec = this.chunks[index - 1];
      if (!spec) return undefined;
      const prepared = this.prepare(spec, fromStart);
      prepared.catch(() => {}); // handled where it is awaited; this only stops an "unhandled" crash meanwhile
      return prepared;
    };
    let next = prepareFrom(fromIndex);
    try {
      while (next) {
        const chunk = await next;
        // Cheap (two stat calls per chunk): a file rewritten mid-pass is caught at the next chunk.
        await this.checkUnchanged();
        next = prepareFrom(chunk.index + 1);
        yield chunk;
      }
      if (fromStart) this.sha256 = this.sha256State.digest('hex');
    } finally {
      // The read ahead may still be using the hash slice: let it settle before another pass can start.
      await next?.catch(() => {});
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
    const change = await this.changeSinceOpen();
    if (change) throw new ImageChangedError(this.path, change);
  }

  /** What changed since open ('' when nothing did): the descriptor's fstat, and what the path names. */
  private async changeSinceOpen(): Promise<string> {
    return (
      statChange(this.opened, await this.file.stat({ bigint: true })) ||
      // The path may name another file (a `mv` over it) while the descriptor still reads the old one.
      (await stat(this.path, { bigint: true }).then(
        (now) =>
          now.ino !== this.opened.ino || now.dev !== this.opened.dev ? 'the path names another file now' : '',
        () => 'the path no longer exists',
      ))
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }

  private async prepare(spec: ChunkSpec, withSha256: boolean): Promise<PreparedChunk> {
    const md5 = createHash('md5');
    for (let done = 0; done < spec.length;) {
      const slice = this.hashSlice.subarray(0, Math.min(HASH_SLICE_BYTES, spec.length - done));
      await this.readFully(slice, spec.offset + done, spec);
      md5.update(slice);
      if (withSha256) this.sha256State.update(slice);
      done += slice.length;
    }
    const digest = md5.digest();
    return {
      ...spec,
      md5: digest,
      md5Base64: digest.toString('base64'),
      body: { length: spec.length, open: () => this.reRead(spec) },
    };
  }

  private async *reRead(spec: ChunkSpec): AsyncGenerator<Buffer> {
    const ring: Buffer[] = [];
    for (let done = 0, turn = 0; done < spec.length; turn = (turn + 1) % SEND_RING) {
      ring[turn] ??= Buffer.allocUnsafeSlow(Math.min(SEND_SLICE_BYTES, spec.length));
      const slice = ring[turn]!.subarray(0, Math.min(SEND_SLICE_BYTES, spec.length - done));
      await this.readFully(slice, spec.offset + done, spec);
      done += slice.length;
      // Every byte of this send was read by now: unchanged since open, it is what the hash pass read.
      if (done === spec.length) {
        const change = await this.changeSinceOpen();
        if (change) throw new ImageChangedError(this.path, `chunk ${spec.index} re-read: ${change}`);
      }
      yield slice;
    }
  }

  async checkChunk(chunk: PreparedChunk): Promise<void> {
    await this.checkUnchanged();
    const md5 = createHash('md5');
    const slice = Buffer.allocUnsafe(Math.min(SEND_SLICE_BYTES, Math.max(1, chunk.length)));
    for (let done = 0; done < chunk.length;) {
      const part = slice.subarray(0, Math.min(slice.length, chunk.length - done));
      await this.readFully(part, chunk.offset + done, chunk);
      md5.update(part);
      done += part.length;
    }
    if (!md5.digest().equals(chunk.md5)) {
      throw new ImageChangedError(this.path, `chunk ${chunk.index} re-read differs from its hash pass`);
    }
  }

  /** Fills `target` from `position`; a file that ended early changed since it was opened. */
  private async readFully(target: Buffer, position: number, spec: ChunkSpec): Promise<void> {
    for (let filled = 0; filled < target.length;) {
      const { bytesRead } = await this.file.read(target, filled, target.length - filled, position + filled);
      if (bytesRead === 0) {
        throw new ImageChangedError(
          this.path,
          `chunk ${spec.index}: the file ended at byte ${position + filled}, was ${this.size} bytes when opened`,
        );
      }
      filled += bytesRead;
    }
  }
}
