import { Worker } from 'node:worker_threads';

// Inline source (not a file) because ncc bundles the action into one dist/index.js: a worker script
// on disk would not exist at run time. CommonJS, since eval'd workers run as scripts.
//
// The worker reads a chunk into its pool slot a slice at a time and hashes each slice right after reading
// it, while it is still in the CPU cache: MD5 of the chunk, and (on a pass from chunk 1) SHA-256 of the
// image carried forward. One worker, not one per digest: on 2 cores the upload's other side (the service,
// or the emulator in the bench) needs a core too, and a second worker only added start-up CPU, memory and
// cache misses (npm run bench, 1 GiB, 32 MiB chunks: peak RSS 188 -> 176 MiB, CPU 4.6 -> 4.5 s, wall
// 6.8 -> 6.1 s; the main thread reading through the thread pool cost a hop and a cold pass per chunk).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { readSync } = require('node:fs');
const slots = workerData.buffers.map((shared) => Buffer.from(shared));
const SLICE_BYTES = ${1024 * 1024};
let sha256 = createHash('sha256');

function readAndHash({ slot, fd, position, length, withSha256 }) {
  const target = slots[slot];
  const md5 = createHash('md5');
  for (let done = 0; done < length; ) {
    const end = Math.min(done + SLICE_BYTES, length);
    for (let filled = done; filled < end; ) {
      const bytesRead = readSync(fd, target, filled, end - filled, position + filled);
      if (bytesRead === 0) return { endedAt: position + filled };
      filled += bytesRead;
    }
    const slice = target.subarray(done, end);
    md5.update(slice);
    if (withSha256) sha256.update(slice);
    done = end;
  }
  return { md5: md5.digest() };
}

parentPort.on('message', (request) => {
  try {
    let value;
    if (request.op === 'read-hash') value = readAndHash(request);
    else if (request.op === 'sha256-digest') value = sha256.digest('hex');
    else if (request.op === 'sha256-reset') sha256 = createHash('sha256');
    else throw new Error('unknown op ' + request.op);
    parentPort.postMessage({ id: request.id, value });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** What reading a chunk gave: its MD5, or where the file ended before the chunk did. */
export type ChunkRead = { md5: Buffer } | { endedAt: number };

/**
 * Reads chunks into pool slots it shares with us and hashes them, off the event loop so the main
 * thread keeps the socket fed. Requests are answered in order, which keeps the SHA-256 in file order.
 */
export class ChunkWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(buffers: Buffer[]) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { buffers: buffers.map((buffer) => buffer.buffer) },
    });
    // Only keep the process alive while a request is outstanding.
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`hashing worker exited (code ${code})`)));
  }

  /** Reads `length` bytes at `position` of `fd` into `slot`, returning their MD5 (and feeding the SHA-256). */
  async readAndHash(
    slot: number,
    fd: number,
    position: number,
    length: number,
    withSha256: boolean,
  ): Promise<ChunkRead> {
    const read = (await this.request({ op: 'read-hash', slot, fd, position, length, withSha256 })) as
      { md5: Uint8Array } | { endedAt: number };
    if ('endedAt' in read) return read;
    return { md5: Buffer.from(read.md5.buffer, read.md5.byteOffset, read.md5.byteLength) };
  }

  async sha256Reset(): Promise<void> {
    await this.request({ op: 'sha256-reset' });
  }

  async sha256Digest(): Promise<string> {
    return (await this.request({ op: 'sha256-digest' })) as string;
  }

  /** Stops the worker; a read in progress finishes first (the file must stay open until then). */
  async close(): Promise<void> {
    this.fail(new Error('the image source was closed'));
    await this.worker.terminate();
  }

  private request(message: Record<string, unknown>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  private settle(reply: Reply): void {
    const request = this.pending.get(reply.id);
    if (!request) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error !== undefined) request.reject(new Error(`reading the image failed: ${reply.error}`));
    else request.resolve(reply.value);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of this.pending.values()) request.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
