// What a route handler gets and returns, and the small helpers every handler uses.
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import type { UploadJobRequest } from '../api/types.js';
import { ApiError, errorBody } from './errors.js';
import type { Operation } from './types.js';

export interface Reply {
  status: number;
  json?: unknown;
  /** A body that is not JSON (a gateway's HTML page, a stored manifest file). */
  text?: { contentType: string; data: string | Buffer };
  file?: { path: string; size: number };
  headers?: Record<string, string>;
}

export interface Context {
  req: IncomingMessage;
  query: URLSearchParams;
  params: string[];
}

export type Handler = (ctx: Context) => Promise<Reply>;

/** Paths (regex) and the operation each method is; the handlers are keyed by operation. */
export type RouteTable = {
  pattern: RegExp;
  methods: Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Operation>>;
}[];

/** The path segment of an id in a route pattern. */
export const ID = '([^/]+)';

const MAX_JSON_BODY_BYTES = 64 * 1024;

export function ok(json: unknown): Reply {
  return { status: 200, json };
}

export function accepted(json: unknown): Reply {
  return { status: 202, json };
}

export function errorReply(error: unknown): Reply {
  if (error instanceof ApiError)
    return { status: error.status, json: errorBody(error.status, error.message, error.fields) };
  return { status: 500, json: errorBody(500, `Emulator error: ${(error as Error).message}`) };
}

/** Reads and discards what is left of the request body. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await finished(req);
}

export async function readJson(req: IncomingMessage): Promise<UploadJobRequest> {
  // The shape is checked by whoever reads it (store, campaigns); here only that it is JSON.
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of req as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > MAX_JSON_BODY_BYTES)
      throw new ApiError(400, `The JSON body may be at most ${MAX_JSON_BODY_BYTES} bytes`);
    pieces.push(piece);
  }
  const text = Buffer.concat(pieces).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as UploadJobRequest;
  } catch {
    throw new ApiError(400, 'The request body is not valid JSON: send {"name": "...", "description": "..."}');
  }
}
