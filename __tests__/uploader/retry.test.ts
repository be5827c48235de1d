import { describe, expect, it } from '@jest/globals';
import { ServiceError, type ServiceErrorInit } from '../../src/client/errors.js';
import type { Clock } from '../../src/common/clock.js';
import {
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_AFTER_MS,
  backoffDelay,
  isRetryable,
  withRetries,
  type RetryInfo,
  type RetryPolicy,
} from '../../src/uploader/retry.js';
import { clientFor, errorBody, json, rejectionOf } from '../support/loopback.js';
import { loopbackForSuite } from '../support/suite.js';
import { fakeClock, recordingLogger } from '../support/harness.js';

/** A clock whose sleeps never end by themselves: only an abort ends them. */
function stuckClock(onSleep: () => void): Clock {
  return {
    now: () => 0,
    sleep: (_ms, signal) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        onSleep();
      }),
  };
}

/** mulberry32: a small seeded PRNG, so backoff checks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function failure(init: Partial<ServiceErrorInit> = {}): ServiceError {
  return new ServiceError({
    kind: 'http',
    operation: 'append chunk 7 of 40',
    detail: '503 Service Unavailable (empty body)',
    status: 503,
    maybeReceived: false,
    ...init,
  });
}

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

describe('isRetryable', () => {
  it.each([
    ['connection reset', { kind: 'network', code: 'ECONNRESET' }],
    ['connection refused', { kind: 'network', code: 'ECONNREFUSED' }],
    ['DNS try again', { kind: 'network', code: 'EAI_AGAIN' }],
    ['socket closed', { kind: 'network', code: 'UND_ERR_SOCKET' }],
    ['stall timeout', { kind: 'timeout' }],
    ...[408, 429, 500, 502, 503, 504].map((status) => [`HTTP ${status}`, { kind: 'http', status }] as const),
  ] as [string, Partial<ServiceErrorInit>][])('retries %s', (_name, init) => {
    expect(isRetryable(failure(init))).toBe(true);
  });

  it.each([
    ['unknown host', { kind: 'network', code: 'ENOTFOUND' }],
    ['TLS failure', { kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }],
    ['cancellation', { kind: 'aborted' }],
    ['redirect', { kind: 'protocol', status: 301 }],
    ...[400, 401, 403, 404, 409, 413].map((status) => [`HTTP ${status}`, { kind: 'http', status }] as const),
  ] as [string, Partial<ServiceErrorInit>][])('never retries %s', (_name, init) => {
    expect(isRetryable(failure(init))).toBe(false);
  });

  it('never retries an error that is not a ServiceError (a bug is not transient)', () => {
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('stays within full-jitter bounds for a seeded random', () => {
    const random = seeded(42);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const delay = backoffDelay(attempt, policy, random);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
      delays.push(delay);
    }
    expect(new Set(delays).size).toBeGreaterThan(6); // jittered, not constant
  });

  it('reaches the bounds at the extremes of random()', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(8000);
    expect(backoffDelay(20, policy, () => 1)).toBe(30_000);
  });

  it('honours Retry-After as a floor, capped at a sane maximum', () => {
    expect(backoffDelay(0, policy, () => 0.5, 7000)).toBe(7000);
    expect(backoffDelay(5, policy, () => 1, 7000)).toBe(30_000);
    expect(backoffDelay(0, policy, () => 0.5, 3_600_000)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('defaults to 1 s base and 30 s cap', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ baseDelayMs: 1000, maxDelayMs: 30_000 });
  });
});

describe('withRetries', () => {
  it('returns at once when the first attempt succeeds', async () => {
    const clock = fakeClock();
    const attempts: number[] = [];
    const result = await withRetries('op', async (attempt) => (attempts.push(attempt), 'ok'), {
      policy,
      clock,
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([0]);
    expect(clock.slept).toEqual([]);
  });

  it('retries transient failures with backoff, logging each retry, then succeeds', async () => {
    const clock = fakeClock();
    const logger = recordingLogger();
    const retries: RetryInfo[] = [];
    const attempts: number[] = [];
    const result = await withRetries(
      'append chunk 7 of 40',
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 2) throw failure();
        return 'stored';
      },
      { policy, clock, random: () => 0.5, logger, onRetry: (info) => retries.push(info) },
    );
    expect(result).toBe('stored');
    expect(attempts).toEqual([0, 1, 2]);
    expect(clock.slept).toEqual([500, 1000]);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [2, 500],
      [3, 1000],
    ]);
    expect(logger.lines[0]).toBe(
      'info: retrying append chunk 7 of 40 in 0.5 s (attempt 2 of 6): 503 Service Unavailable (empty body)',
    );
  });

  it('throws the last error once the retries are spent', async () => {
    const clock = fakeClock();
    let calls = 0;
    const err = await rejectionOf(
      withRetries(
        'op',
        async () => {
          calls++;
          throw failure({ detail: `failure ${calls}` });
        },
        { policy: { ...policy, maxRetries: 3 }, clock, random: seeded(1) },
      ),
    );
    expect(calls).toBe(4);
    expect(clock.slept).toHaveLength(3);
    expect((err as ServiceError).detail).toBe('failure 4');
  });

  it('does not retry when retries is 0', async () => {
    let calls = 0;
    const thrown = failure();
    const err = await rejectionOf(
      withRetries('op', async () => (calls++, Promise.reject(thrown)), {
        policy: { ...policy, maxRetries: 0 },
        clock: fakeClock(),
      }),
    );
    expect(err).toBe(thrown);
    expect(calls).toBe(1);
  });

  it('throws a non-retryable error at once', async () => {
    const clock = fakeClock();
    let calls = 0;
    const conflict = failure({ status: 409, detail: '409 Conflict' });
    const err = await rejectionOf(
      withRetries('op', async () => (calls++, Promise.reject(conflict)), { policy, clock }),
    );
    expect(err).toBe(conflict);
    expect(calls).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it('waits at least as long as Retry-After says', async () => {
    const clock = fakeClock();
    let calls = 0;
    await withRetries(
      'op',
      async () => {
        if (calls++ === 0) throw failure({ status: 429, retryAfterMs: 12_000 });
        return 'ok';
      },
      { policy, clock, random: () => 0.1 },
    );
    expect(clock.slept).toEqual([12_000]);
  });

  it('an abort during the wait ends it with an aborted error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const clock = stuckClock(() => controller.abort(new Error('cancelled')));
    const err = (await rejectionOf(
      withRetries(
        'append chunk 3 of 5',
        async () => (calls++, Promise.reject(failure({ maybeReceived: true }))),
        {
          policy,
          clock,
          signal: controller.signal,
        },
      ),
    )) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ kind: 'aborted', operation: 'append chunk 3 of 5', maybeReceived: true });
    expect(calls).toBe(1);
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const err = await rejectionOf(
      withRetries('op', async () => (calls++, 'x'), {
        policy,
        clock: fakeClock(),
        signal: controller.signal,
      }),
    );
    expect((err as ServiceError).kind).toBe('aborted');
    expect(calls).toBe(0);
  });

  it("beforeRetry reporting 'done' short-circuits: the request is not sent again", async () => {
    const clock = fakeClock();
    let calls = 0;
    const seenByHook: ServiceError[] = [];
    const lost = failure({ kind: 'network', code: 'ECONNRESET', status: undefined, maybeReceived: true });
    const result = await withRetries(
      'op',
      async () => {
        calls++;
        throw lost;
      },
      { policy, clock, beforeRetry: async (e) => (seenByHook.push(e), { done: 'landed' }) },
    );
    expect(result).toBe('landed');
    expect(calls).toBe(1);
    expect(seenByHook).toEqual([lost]);
    expect(clock.slept).toHaveLength(1);
  });

  it("beforeRetry answering 'retry' re-sends", async () => {
    let calls = 0;
    let hooks = 0;
    const result = await withRetries(
      'op',
      async () => {
        if (calls++ === 0) throw failure({ maybeReceived: true });
        return 'sent again';
      },
      { policy, clock: fakeClock(), beforeRetry: async () => (hooks++, 'retry') },
    );
    expect(result).toBe('sent again');
    expect([calls, hooks]).toEqual([2, 1]);
  });

  it('does not call beforeRetry when the request surely did not arrive', async () => {
    let hooks = 0;
    let calls = 0;
    await withRetries(
      'op',
      async () => {
        if (calls++ === 0) throw failure({ kind: 'network', code: 'ECONNREFUSED', maybeReceived: false });
        return 'ok';
      },
      { policy, clock: fakeClock(), beforeRetry: async () => (hooks++, 'retry') },
    );
    expect(hooks).toBe(0);
  });

  it('lets an error from beforeRetry end the run unchanged', async () => {
    const broken = new Error('the job holds unexpected chunks');
    const err = await rejectionOf(
      withRetries('op', async () => Promise.reject(failure({ maybeReceived: true })), {
        policy,
        clock: fakeClock(),
        beforeRetry: async () => Promise.reject(broken),
      }),
    );
    expect(err).toBe(broken);
  });
});

describe('withRetries around the real client', () => {
  const server = loopbackForSuite();

  it('gets through two 503 answers (with Retry-After) to the third', async () => {
    let answered = 0;
    server.answer((req, res, body) => {
      answered++;
      if (answered <= 2)
        return json(503, errorBody(503, 'unavailable', 'busy'), { 'retry-after': '2' })(req, res, body);
      json(200, { object: 'upload-job', id: 'j1', status: 'in_progress' })(req, res, body);
    });
    const { client, close } = clientFor(server.url);
    const clock = fakeClock();
    try {
      const job = await withRetries('get upload job j1', () => client.getUploadJob('j1'), {
        policy,
        clock,
        random: () => 0,
      });
      expect(job.id).toBe('j1');
      expect(answered).toBe(3);
      expect(clock.slept).toEqual([2000, 2000]);
    } finally {
      await close();
    }
  });
});
