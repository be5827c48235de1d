import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { abortedError, ServiceError, stallError, tooLargeError, transportError } from './errors.js';

/** Small enough that a slow but moving upload refreshes the stall timer often; large enough to cost no throughput. */
export const BODY_SLICE_BYTES = 256 * 1024;

/**
 * The most read from a 2xx answer. The largest real one is a page of 1000 entries with 2000-character
 * descriptions (about 2.5 MiB); past this the answer is not the service's, and reading on would only
 * grow memory (a body without end never trips the stall timer: its bytes keep moving).
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** The most read from an error answer: the service's JSON error fits; a gateway page is cut off here. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface TransportContext {
  dispatcher: Dispatcher;
  origin: string;
  stallTimeoutMs: number;
  signal?: AbortSignal;
  /** Scrubbed from any error text. */
  secret: string;
}

/**
 * A body made afresh for each exchange (a re-send opens it again), streamed with its known length. An
 * error its slices throw is the body's own (e.g. the file changed) and ends the exchange as it is.
 */
export interface StreamedBody {
  length: number;
  open(): AsyncIterable<Uint8Array>;
}

export interface OutgoingRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: Buffer | StreamedBody;
  /** The most read from a 2xx answer, when less than MAX_RESPONSE_BYTES is ever right (a 2 KB file). */
  maxResponseBytes?: number;
}

export interface IncomingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** An error body longer than MAX_ERROR_BODY_BYTES: `body` is its start, the rest was never read. */
  truncated?: boolean;
}

async function* bufferSlices(body: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < body.length; offset += BODY_SLICE_BYTES) {
    yield body.subarray(offset, offset + BODY_SLICE_BYTES);
  }
}

/**
 * The body as slices, calling `onPull` each time undici asks for more (the previous slice was taken);
 * an error from the body itself goes to `onError` before undici sees it.
 */
async function* slicesOf(
  body: Buffer | StreamedBody,
  onPull: () => void,
  onError: (error: unknown) => void,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const slice of Buffer.isBuffer(body) ? bufferSlices(body) : body.open()) {
      onPull();
      yield slice;
    }
  } catch (error) {
    onError(error);
    throw error;
  }
  onPull();
}

/**
 * One HTTP exchange with a stall timeout: the request is abandoned when no bytes moved for
 * `stallTimeoutMs` (sending, waiting, or receiving), never merely because it is long.
 *
 * undici's own headersTimeout starts when the request is dispatched, before a Buffer body is written,
 * so a 100 MiB chunk on a slow link would hit it; both undici timeouts are disabled and the body is
 * sent as an iterable of slices instead, each pull (the socket took the previous slice) resetting the
 * timer. Granularity: bytes already in the OS send buffer (a few MiB) are invisible, so the timeout
 * must allow that much to drain plus the service's processing time.
 */
export async function exchange(
  ctx: TransportContext,
  operation: string,
  request: OutgoingRequest,
): Promise<IncomingResponse> {
  const hasBody = request.body !== undefined && request.body.length > 0;
  if (ctx.signal?.aborted) throw abortedError(operation, false, ctx.signal.reason);

  const controller = new AbortController();
  const stalled = Symbol('stalled');
  let progressCount = 0;
  const timer = setTimeout(() => {
    // Timers run before pending I/O in an event-loop turn: after the process was descheduled, bytes that
    // moved meanwhile are only seen in the poll phase. Decide in the check phase, after that I/O.
    const seen = progressCount;
    setImmediate(() => {
      if (progressCount === seen) controller.abort(stalled);
    });
  }, ctx.stallTimeoutMs);
  const progress = () => {
    progressCount++;
    timer.refresh();
  };
  const onAbort = () => controller.abort(ctx.signal?.reason);
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  let bodyStarted = false;
  let bodyError: { error: unknown } | undefined;

  try {
    const response = await ctx.dispatcher.request({
      origin: ctx.origin,
      path: request.path,
      method: request.method,
      headers: request.headers,
      // undici accepts an async iterable body (documented); its type declarations lag behind.
      body: hasBody
        ? (slicesOf(
            request.body!,
            () => {
              bodyStarted = true;
              progress();
            },
            (error) => (bodyError = { error }),
          ) as unknown as Readable)
        : (request.body as Buffer | undefined), // an empty body (completing a job) or none
      signal: controller.signal,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    progress();
    const success = response.statusCode >= 200 && response.statusCode < 300;
    const successLimit = request.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const limit = success ? successLimit : MAX_ERROR_BODY_BYTES;
    // Only a 2xx is refused as too large, and a 2xx means the request took effect.
    const refuse = () => tooLargeError(operation, successLimit, true);
    if (success && Number(response.headers['content-length']) > limit) {
      response.body.destroy();
      throw refuse();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    // Leaving the loop early destroys the body, and with it the connection: the rest is never read.
    for await (const chunk of response.body) {
      progress();
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > limit) {
        if (success) throw refuse();
        truncated = true;
        break;
      }
    }
    const body = Buffer.concat(chunks);
    return {
      status: response.statusCode,
      headers: response.headers,
      body: truncated ? body.subarray(0, limit) : body,
      ...(truncated ? { truncated } : {}),
    };
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    // Not a transport failure: the body could not be produced; the caller decides what that means.
    if (bodyError) throw bodyError.error;
    // Headers go out with the first body slice; a bodiless request may have been written once connected.
    const mayHaveBeenWritten = hasBody ? bodyStarted : true;
    if (controller.signal.aborted) {
      if (controller.signal.reason === stalled)
        throw stallError(operation, ctx.stallTimeoutMs, mayHaveBeenWritten);
      throw abortedError(operation, mayHaveBeenWritten, controller.signal.reason);
    }
    throw transportError(operation, err, mayHaveBeenWritten, ctx.secret);
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}
