/**
 * A fixed set of chunk-sized buffers, reused for the whole life of an image source so that reading
 * never allocates per chunk.
 */
export class BufferPool {
  readonly buffers: Buffer[];
  private readonly free: number[];
  private readonly waiters: { resolve: (slot: number) => void; reject: (error: Error) => void }[] = [];

  constructor(count: number, bufferSize: number) {
    this.buffers = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(bufferSize));
    this.free = this.buffers.map((_buffer, slot) => slot);
  }

  get size(): number {
    return this.buffers.length;
  }

  get freeCount(): number {
    return this.free.length;
  }

  /** Resolves with a free slot, waiting for a release() when all are taken. */
  acquire(): Promise<number> {
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(slot: number): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(slot);
    else this.free.push(slot);
  }

  /** Fails every pending acquire(): nobody is going to release a slot for them. */
  abortWaiting(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** Takes every slot back (a new read pass begins; the previous one's chunks are void). */
  reclaimAll(): void {
    this.free.splice(0, this.free.length, ...this.buffers.map((_buffer, slot) => slot));
  }
}
