// The retry engine. undici's RetryAgent does not fit: an append is not idempotent, and a lost answer
// must be reconciled with the service's state (beforeRetry) before anything is sent again.
import { abortedError, ServiceError } from '../client/index.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';

/** How a run retries (one object, built from the settings by retryPolicy()). */
export interface RetryPolicy {
  /** Extra attempts after the first, per request (the `retries` input). */
  maxRetries: number;
  baseDelayMs: number;
  /** Cap on one backoff wait (before Retry-After). */
  maxDelayMs: number;
  /**
   * Reading back what the service records late (a completed job's firmware_image_id): this many reads,
   * waiting `waitMs` × the read's number between two. Not a retry of a failure, so not in maxRetries.
   */
  readBack: { attempts: number; waitMs: number };
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  readBack: { attempts: 5, waitMs: 1000 },
};

/** The policy for `maxRetries` (the settings' value); the rest are the defaults. */
export function retryPolicy(maxRetries: number): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, maxRetries };
}

/** The longest a Retry-After may make us wait: beyond this, the run would rather fail than hang. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Transient failures only: network errors and stalls, 408, 429, 500, 502, 503, 504. Never other 4xx,
 * TLS, protocol or cancellation errors, nor an unknown host (ENOTFOUND: a wrong api-host stays wrong).
 */
export function isRetryable(e: unknown): boolean {
  if (!(e instanceof ServiceError)) return false;
  switch (e.kind) {
    case 'network':
      return e.code !== 'ENOTFOUND';
    case 'timeout':
      return true;
    case 'http':
      return e.status !== undefined && RETRYABLE_STATUS.has(e.status);
    default:
      return false;
  }
}

/**
 * Full jitter: random() * min(maxDelay, baseDelay * 2^attempt), `attempt` counting retries from 0.
 * A Retry-After is honoured as a floor, capped at MAX_RETRY_AFTER_MS.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const jitter = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const delay = retryAfterMs === undefined ? jitter : Math.max(retryAfterMs, jitter);
  return Math.round(Math.min(delay, MAX_RETRY_AFTER_MS));
}

export interface RetryInfo {
  operation: string;
  /** The attempt about to be made, counting the first as 1. */
  attempt: number;
  delayMs: number;
  error: ServiceError;
}

export interface RetryOptions<T> {
  policy: RetryPolicy;
  clock: Clock;
  random?: () => number;
  signal?: AbortSignal;
  logger?: Logger;
  onRetry?: (info: RetryInfo) => void;
  /**
   * Called after the wait, before re-sending, when the failed request may have reached the service
   * (error.maybeReceived): it reads the service's state and answers 'retry' (re-send) or { done }
   * (the request already took effect; its result). What it throws ends the run unchanged, so it
   * should retry its own reads.
   */
  beforeRetry?: (error: ServiceError) => Promise<'retry' | { done: T }>;
}

/**
 * Runs `fn` (given the 0-based attempt number) until it succeeds, fails with an error that is not
 * retryable, or the retries are spent (then the last error is thrown). Waits through the injected clock;
 * an abort during a wait throws a ServiceError of kind 'aborted'.
 */
export async function withRetries<T>(
  operation: string,
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions<T>,
): Promise<T> {
  const { policy, clock, signal, logger } = opts;
  const random = opts.random ?? Math.random;
  const totalAttempts = policy.maxRetries + 1;
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortedError(operation, false, signal.reason);
    let error: ServiceError;
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof ServiceError) || !isRetryable(e) || attempt + 1 >= totalAttempts) throw e;
      error = e;
    }

    const delayMs = backoffDelay(attempt, policy, random, error.retryAfterMs);
    const next = attempt + 2;
    logger?.info(
      `retrying ${operation} in ${(delayMs / 1000).toFixed(1)} s (attempt ${next} of ${totalAttempts}): ${error.detail}`,
    );
    opts.onRetry?.({ operation, attempt: next, delayMs, error });
    try {
      await clock.sleep(delayMs, signal);
    } catch (reason) {
      throw abortedError(operation, error.maybeReceived, reason);
    }

    if (error.maybeReceived && opts.beforeRetry) {
      const verdict = await opts.beforeRetry(error);
      if (verdict !== 'retry') return verdict.done;
    }
  }
}

/**
 * Reads until `done` holds, at most `policy.readBack.attempts` reads, waiting longer after each (the
 * service records some things late). Each read is itself retried by the caller. Resolves to the last read.
 */
export async function readBack<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  opts: { policy: RetryPolicy; clock: Clock; signal?: AbortSignal },
): Promise<{ value: T; done: boolean; reads: number }> {
  const { attempts, waitMs } = opts.policy.readBack;
  for (let reads = 1; ; reads++) {
    const value = await read();
    if (done(value) || reads >= attempts) return { value, done: done(value), reads };
    await opts.clock.sleep(waitMs * reads, opts.signal);
  }
}
