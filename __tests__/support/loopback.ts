// A node:http server on 127.0.0.1 whose behaviour each test sets, recording every request it sees.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent } from 'undici';
import { UpdateServiceClient, type UpdateServiceClientOptions } from '../../src/client/client.js';

export const API_KEY = 'ak_test0123456789abcdefSECRET';
export const USER_AGENT = 'izuma-firmware-publish/9.9.9 (+https://example.invalid/repo)';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface Loopback {
  url: URL;
  seen: SeenRequest[];
  /** The next requests are answered by this handler (after their body was read in full). */
  answer(handler: Handler): void;
  /** The next requests go to this raw handler, which reads (or does not read) the body itself. */
  raw(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startLoopback(): Promise<Loopback> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let rawHandler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let handler: Handler = (_req, res) => res.writeHead(500).end();
  const server: Server = createServer((req, res) => {
    if (rawHandler) return rawHandler(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    seen,
    answer(h) {
      rawHandler = undefined;
      handler = h;
    },
    raw(h) {
      rawHandler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

export function errorBody(code: number, type: string, message: string, extra: object = {}) {
  return { object: 'error', code, type, message, request_id: 'req-0001', ...extra };
}

/** A client on its own dispatcher (a one-connection Agent unless `opts` gives one), ended by close(). */
export function clientFor(
  baseUrl: URL,
  opts: Partial<UpdateServiceClientOptions> = {},
): { client: UpdateServiceClient; close: () => Promise<void> } {
  const dispatcher = opts.dispatcher ?? new Agent({ connections: 1 });
  const client = new UpdateServiceClient({
    baseUrl,
    apiKey: API_KEY,
    userAgent: USER_AGENT,
    requestTimeoutMs: 10_000,
    ...opts,
    dispatcher,
  });
  return { client, close: () => dispatcher.destroy() };
}

/** Runs `promise`, expecting it to reject; returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, it resolved');
}
