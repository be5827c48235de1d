// One publish() run's context: the client, retries through the retry engine, events and warnings.
import type { UpdateServiceClient } from '../client/index.js';
import type { Logger } from '../common/logger.js';
import type { Clock } from '../common/clock.js';
import { DEFAULT_OWNERSHIP_TIMINGS, newRunToken, type OwnershipTimings } from './ownership.js';
import { retryPolicy, withRetries, type RetryPolicy } from './retry.js';
import type { PublishDeps, UploadEvent } from './types.js';

type BeforeRetry<T> = () => Promise<'retry' | { done: T }>;

export class UploadSession {
  readonly client: UpdateServiceClient;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  readonly warnings: string[] = [];
  readonly startedAt: number;
  /** Retries made, over every request of the run. */
  retryCount = 0;
  /** Names this run in the description of the job it writes (ownership.ts). */
  readonly runToken = newRunToken();
  readonly ownership: OwnershipTimings;
  readonly wallClockMs: () => number;
  /** How this run retries, and reads back what the service records late. */
  readonly policy: RetryPolicy;

  constructor(
    private readonly deps: PublishDeps,
    maxRetries: number,
  ) {
    this.client = deps.client;
    this.logger = deps.logger;
    this.clock = deps.clock;
    this.signal = deps.signal;
    this.policy = retryPolicy(maxRetries);
    this.startedAt = deps.clock.now();
    this.ownership = { ...DEFAULT_OWNERSHIP_TIMINGS, ...deps.ownership };
    this.wallClockMs = deps.wallClockMs ?? Date.now;
  }

  emit(event: UploadEvent): void {
    this.deps.onEvent?.(event);
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.logger.warning(message);
  }

  elapsedMs(): number {
    return this.clock.now() - this.startedAt;
  }

  /** A request that is safe to repeat (a read, a delete): retried plainly. */
  repeatable<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.attempt(operation, fn);
  }

  /**
   * A request that changes the service: after an error that may have reached it, `reconcile` reads the
   * service's state first and says whether the request already took effect; it is re-sent only if not.
   */
  reconciled<T>(operation: string, fn: () => Promise<T>, reconcile: BeforeRetry<T>): Promise<T> {
    return this.attempt(operation, fn, reconcile);
  }

  private attempt<T>(operation: string, fn: () => Promise<T>, beforeRetry?: BeforeRetry<T>): Promise<T> {
    return withRetries(operation, fn, {
      policy: this.policy,
      clock: this.clock,
      random: this.deps.random,
      signal: this.signal,
      logger: this.logger,
      beforeRetry,
      onRetry: ({ attempt, delayMs, error }) => {
        this.retryCount++;
        this.emit({ type: 'retry', operation, attempt, delayMs, error });
      },
    });
  }
}
