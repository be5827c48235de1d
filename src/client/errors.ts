import { formatBytes } from '../common/bytes.js';
import { NamedError } from '../common/named-error.js';
import { STATUS_CODES } from 'node:http';
import { actionVocabulary, render, type Hint } from '../common/hint.js';
import { CLIENT_HINTS, httpHint, transportHint } from './hints.js';
import { redactSecret } from './redact.js';

export type ServiceErrorKind = 'http' | 'network' | 'timeout' | 'tls' | 'aborted' | 'protocol';

export interface ServiceErrorInit {
  kind: ServiceErrorKind;
  operation: string;
  /** What went wrong, without the operation: '503 Service Unavailable: … (request_id …)'. */
  detail: string;
  maybeReceived: boolean;
  status?: number;
  type?: string;
  requestId?: string;
  fields?: { name: string; message: string }[];
  retryAfterMs?: number;
  /** The transport error code (ECONNRESET, UND_ERR_SOCKET, CERT_HAS_EXPIRED…), when there was one. */
  code?: string;
  hint?: Hint;
  cause?: unknown;
}

/** The one error type of the client layer. Its message never carries the access key. */
export class ServiceError extends NamedError {
  readonly kind: ServiceErrorKind;
  readonly operation: string;
  readonly detail: string;
  readonly maybeReceived: boolean;
  readonly status?: number;
  readonly type?: string;
  readonly requestId?: string;
  readonly fields?: { name: string; message: string }[];
  readonly retryAfterMs?: number;
  readonly code?: string;
  /** What the user can do about it, naming the input to change; undefined when nothing specific applies. */
  readonly advice?: Hint;
  /** `advice` in the action's words (an entry point with other terms renders `advice` itself). */
  readonly hint?: string;

  constructor(init: ServiceErrorInit) {
    super(
      `${init.operation} failed: ${init.detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.kind = init.kind;
    this.operation = init.operation;
    this.detail = init.detail;
    this.maybeReceived = init.maybeReceived;
    this.status = init.status;
    this.type = init.type;
    this.requestId = init.requestId;
    this.fields = init.fields;
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.code;
    this.advice = init.hint ?? transportHint(init);
    this.hint = this.advice && render(this.advice, actionVocabulary);
  }
}

const MAX_SERVER_TEXT = 300;

/** Server text made safe for a one-line message: no key, no newlines, bounded length. */
export function cleanServerText(text: string, secret: string | undefined): string {
  const oneLine = redactSecret(text, secret).replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_SERVER_TEXT ? `${oneLine.slice(0, MAX_SERVER_TEXT)}…` : oneLine;
}

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'HTTP status'}`;
}

/**
 * Retry-After as milliseconds from now: delta-seconds or an HTTP date. `nowMs` should be the response's
 * own Date header when it has one, so a skewed local clock does not distort the wait.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A non-2xx answer as the transport read it (the contract's `ErrorResponse` is only its body: ErrorBody). */
export interface FailedHttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Only the start of a longer body was read (transport's MAX_ERROR_BODY_BYTES). */
  truncated?: boolean;
}

function header(headers: FailedHttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFields(value: unknown, secret: string): { name: string; message: string }[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const fields = value.filter(isRecord).map((f) => ({
    name: cleanServerText(String(f.name ?? ''), secret),
    message: cleanServerText(String(f.message ?? ''), secret),
  }));
  return fields.length > 0 ? fields : undefined;
}

/** A non-2xx answer as a ServiceError; tolerates gateway HTML pages and empty bodies. */
export function httpError(
  operation: string,
  response: FailedHttpResponse,
  secret: string,
  now: () => number,
): ServiceError {
  const { status, headers } = response;
  const text = response.body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const body = isRecord(parsed) ? parsed : undefined;
  const type = typeof body?.type === 'string' ? cleanServerText(body.type, secret) : undefined;
  const serviceMessage =
    typeof body?.message === 'string' ? cleanServerText(body.message, secret) : undefined;
  const fields = parseFields(body?.fields, secret);
  const rawRequestId =
    typeof body?.request_id === 'string' ? body.request_id : header(headers, 'x-request-id');
  const requestId = rawRequestId ? cleanServerText(rawRequestId, secret) : undefined;

  let detail = statusLine(status);
  if (type) detail += ` [${type}]`;
  if (serviceMessage) detail += `: ${serviceMessage}`;
  else if (!text.trim()) detail += ' (empty body)';
  else if (!body && response.truncated)
    detail += ` (non-JSON body of over ${response.body.length} bytes, not read further)`;
  else if (!body) detail += ' (non-JSON body)';
  if (fields) detail += ` (${fields.map((f) => `${f.name}: ${f.message}`).join('; ')})`;
  if (requestId) detail += ` (request_id ${requestId})`;

  const dateHeader = Date.parse(header(headers, 'date') ?? '');
  const retryAfterMs = parseRetryAfter(
    header(headers, 'retry-after'),
    Number.isNaN(dateHeader) ? now() : dateHeader,
  );
  return new ServiceError({
    kind: 'http',
    operation,
    detail,
    status,
    type,
    requestId,
    fields,
    retryAfterMs,
    // A 5xx may come from a gateway after the service already acted on the request.
    maybeReceived: status >= 500,
    hint: httpHint(status, `${type ?? ''} ${serviceMessage ?? ''}`),
  });
}

/** Errors that surely happened before the request was written: it cannot have taken effect. */
const BEFORE_SENDING = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TLS_CODE =
  /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|EPROTO$)/;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The first error code on the error, its cause, or the first of an AggregateError (happy eyeballs). */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (!isRecord(err) || depth > 4) return undefined;
  if (typeof err.code === 'string') return err.code;
  return (
    errorCode(err.cause, depth + 1) ??
    (Array.isArray(err.errors) ? errorCode(err.errors[0], depth + 1) : undefined)
  );
}

/**
 * A transport failure (no HTTP answer) as a ServiceError. `requestMayHaveBeenWritten` says whether any
 * part of the request could have left this process (body bytes handed to the socket, or a bodiless request
 * after connecting); errors that surely struck before connecting override it with false.
 */
export function transportError(
  operation: string,
  err: unknown,
  requestMayHaveBeenWritten: boolean,
  secret: string,
): ServiceError {
  const code = errorCode(err);
  const rawMessage = err instanceof Error ? err.message : String(err);
  const message = cleanServerText(rawMessage, secret);
  if (code && TLS_CODE.test(code)) {
    return new ServiceError({
      kind: 'tls',
      operation,
      detail: `TLS error (${code}): ${message}`,
      code,
      maybeReceived: false,
      cause: err,
    });
  }
  if (code && TIMEOUT_CODES.has(code)) {
    return new ServiceError({
      kind: 'timeout',
      operation,
      detail: `timed out (${code})`,
      code,
      maybeReceived: true,
      cause: err,
    });
  }
  const proxyStatus = /Proxy response \((\d{3})\) !== 200/.exec(rawMessage)?.[1];
  if (proxyStatus !== undefined) return proxyRefusedError(operation, Number(proxyStatus), err);
  if (err instanceof Error && err.name === 'AbortError') {
    return abortedError(operation, requestMayHaveBeenWritten, err);
  }
  const beforeSending = code !== undefined && BEFORE_SENDING.has(code);
  return new ServiceError({
    kind: 'network',
    operation,
    detail: `network error${code ? ` (${code})` : ''}: ${message}`,
    code,
    maybeReceived: beforeSending ? false : requestMayHaveBeenWritten,
    cause: err,
  });
}

export function abortedError(operation: string, maybeReceived: boolean, cause?: unknown): ServiceError {
  return new ServiceError({ kind: 'aborted', operation, detail: 'cancelled', maybeReceived, cause });
}

export function stallError(operation: string, stallTimeoutMs: number, maybeReceived: boolean): ServiceError {
  const seconds = Math.round(stallTimeoutMs / 100) / 10;
  return new ServiceError({
    kind: 'timeout',
    operation,
    detail: `no bytes moved for ${seconds} s (stall timeout)`,
    maybeReceived,
  });
}

/**
 * The proxy answered CONNECT with another status than 200 (undici reports it as an abort). Nothing went
 * through the tunnel. 407 and 403 are the proxy's policy, which a retry does not change; a 5xx (the
 * proxy could not reach the host) may pass.
 */
function proxyRefusedError(operation: string, status: number, cause: unknown): ServiceError {
  const policy = status === 407 || status === 403;
  return new ServiceError({
    kind: policy ? 'protocol' : 'network',
    operation,
    detail: `the proxy refused to open a tunnel to the API host (${statusLine(status)})`,
    maybeReceived: false,
    hint: status === 407 ? CLIENT_HINTS.proxyCredentials : CLIENT_HINTS.proxyRefused,
    cause,
  });
}

/**
 * The service's answer passed the cap of what we read from it: a gateway's page, or a body without end.
 * Retryable like a network error; a 2xx took effect, so the uploader reconciles before re-sending.
 */
export function tooLargeError(operation: string, limitBytes: number, maybeReceived: boolean): ServiceError {
  return new ServiceError({
    kind: 'network',
    operation,
    code: 'RESPONSE_TOO_LARGE',
    detail: `response too large from ${operation} (over ${formatBytes(limitBytes)}, more than any such answer of the service); the connection was closed`,
    maybeReceived,
  });
}
