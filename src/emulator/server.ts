// Request handling: routing, auth, the fault hooks around each operation, shaping of the answer.
import { createReadStream } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { finished, pipeline } from 'node:stream/promises';
import { EMPTY_MD5_BASE64, MAX_CHUNK_SIZE, paths, type UploadJobRequest } from '../api/types.js';
import { ApiError, errorBody, gatewayHtml, validationError } from './errors.js';
import { FaultBook } from './faults.js';
import { answersBeforeEffect, rewriteJson, writeHostileBody } from './hostile.js';
import { listPage, parseListQuery } from './listing.js';
import { paced, sleep } from './shaping.js';
import {
  chunkView,
  datafilePath,
  FOREIGN_WRITER,
  imageView,
  jobView,
  shortDatafilePath,
  type Store,
  type Writer,
} from './store.js';
import type { EmulatorEvent, Operation, Shaping } from './types.js';

const JOB_FILTERS = [
  'name',
  'description',
  'complete',
  'completed',
  'id',
  'firmware_image_id',
  'status',
  'created_at',
  'etag',
  'updated_at',
];
const CHUNK_FILTERS = ['id', 'hash', 'length', 'created_at', 'etag', 'updated_at'];
const IMAGE_FILTERS = [
  'name',
  'description',
  'id',
  'datafile',
  'datafile_checksum',
  'datafile_size',
  'created_at',
  'etag',
  'updated_at',
];
const MAX_JSON_BODY_BYTES = 64 * 1024;
/** RFC 1864: base64 of the 16 raw digest bytes. */
const CONTENT_MD5_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

export interface Reply {
  status: number;
  json?: unknown;
  /** A body that is not JSON (a gateway's HTML page). */
  text?: { contentType: string; data: string };
  file?: { path: string; size: number };
  headers?: Record<string, string>;
}

export interface Context {
  req: IncomingMessage;
  query: URLSearchParams;
  params: string[];
}

interface Route {
  operation: Operation;
  authenticated: boolean;
  handle: (ctx: Context) => Promise<Reply>;
}

/** Paths (regex) and their operations; a path may appear in several tables (one method each). */
export type RouteTable = {
  pattern: RegExp;
  methods: Record<string, Omit<Route, 'authenticated'> & { authenticated?: boolean }>;
}[];

export interface ServerDeps {
  store: Store;
  faults: FaultBook;
  apiKey: string;
  shortDatafile: boolean;
  baseUrl: () => string;
  shaping: () => Shaping;
  emit: (event: Omit<EmulatorEvent, 'time'>) => void;
  /** Aborted by stop(): ends hangs, delays and paced transfers. */
  stopped: AbortSignal;
  /** Manifests, campaigns, devices and the multipart image POST (release-routes.ts). */
  releaseRoutes: (readJson: (ctx: Context) => Promise<unknown>) => RouteTable;
}

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { store } = deps;
  const writers = new WeakMap<Socket, Writer>();
  let connections = 0;
  function writerOf(socket: Socket): Writer {
    let writer = writers.get(socket);
    if (!writer) {
      writer = {
        id: `connection ${++connections} (port ${socket.remotePort})`,
        isConnected: () => !socket.destroyed && socket.readyState === 'open',
      };
      writers.set(socket, writer);
    }
    return writer;
  }
  const jobs = '/v3/firmware-images/upload-jobs';
  const ID = '([^/]+)';

  const routes: RouteTable = [
    {
      pattern: new RegExp(`^${jobs}$`),
      methods: {
        GET: {
          operation: 'list-jobs',
          handle: async ({ query }) =>
            ok(listPage(store.allJobs().map(jobView), parseListQuery(query, JOB_FILTERS))),
        },
        POST: { operation: 'create-job', handle: createJob },
      },
    },
    {
      pattern: new RegExp(`^${jobs}/${ID}$`),
      methods: {
        GET: { operation: 'get-job', handle: async ({ params }) => ok(jobView(store.job(params[0]!))) },
        PUT: { operation: 'update-job', handle: updateJob },
        DELETE: {
          operation: 'delete-job',
          handle: async ({ params }) => (await store.deleteJob(params[0]!), { status: 204 }),
        },
      },
    },
    {
      pattern: new RegExp(`^${jobs}/${ID}/chunks$`),
      methods: {
        GET: {
          operation: 'list-chunks',
          handle: async ({ params, query }) => {
            const jobId = params[0]!;
            const chunks = store.job(jobId).chunks.map((c) => chunkView(jobId, c));
            return ok(listPage(chunks, parseListQuery(query, CHUNK_FILTERS)));
          },
        },
        POST: { operation: 'append-chunk', handle: postChunk },
      },
    },
    {
      pattern: new RegExp(`^${jobs}/${ID}/chunks/${ID}$`),
      methods: {
        GET: {
          operation: 'get-chunk',
          handle: async ({ params }) => {
            const [jobId, chunkId] = params as [string, string];
            store.job(jobId); // a bad job id is the first thing to report
            if (!/^\d+$/.test(chunkId)) throw new ApiError(404, `Chunk ${chunkId} not found`);
            return ok(chunkView(jobId, store.chunk(jobId, Number(chunkId))));
          },
        },
      },
    },
    {
      pattern: /^\/v3\/firmware-images$/,
      methods: {
        GET: {
          operation: 'list-images',
          handle: async ({ query }) => ok(listPage(imageViews(), parseListQuery(query, IMAGE_FILTERS))),
        },
      },
    },
    {
      pattern: new RegExp(`^/v3/firmware-images/${ID}$`),
      methods: { GET: { operation: 'get-image', handle: async ({ params }) => ok(imageViewOf(params[0]!)) } },
    },
    {
      pattern: new RegExp(`^${datafilePath(ID).replace(/\.bin$/, '\\.bin')}$|^${shortDatafilePath(ID)}$`),
      methods: { GET: { operation: 'download', authenticated: false, handle: download } },
    },
    ...deps.releaseRoutes(({ req }) => readJson(req)),
  ];

  function imageViews() {
    return store.allImages().map((image) => imageView(image, deps.baseUrl(), deps.shortDatafile));
  }
  function imageViewOf(imageId: string) {
    return imageView(store.image(imageId), deps.baseUrl(), deps.shortDatafile);
  }

  async function createJob({ req }: Context): Promise<Reply> {
    const job = await store.createJob(await readJson(req));
    const location = deps.baseUrl() + paths.uploadJob(job.id);
    return { status: 201, json: jobView(job), headers: { Location: location, 'Content-Location': location } };
  }

  async function updateJob({ req, params }: Context): Promise<Reply> {
    store.job(params[0]!); // 404 before looking at the body
    return ok(jobView(store.updateJob(params[0]!, await readJson(req))));
  }

  async function postChunk({ req, params }: Context): Promise<Reply> {
    const jobId = params[0]!;
    store.ensureAcceptsChunks(jobId);
    const contentLength = req.headers['content-length'];
    if (contentLength === undefined) {
      throw new ApiError(
        411,
        'Content-Length is required on a chunk (chunked transfer-encoding is not accepted)',
        [{ name: 'Content-Length', message: 'required' }],
      );
    }
    const length = Number(contentLength);
    if (length > MAX_CHUNK_SIZE) {
      throw new ApiError(
        413,
        `A chunk may be at most ${MAX_CHUNK_SIZE} bytes (100 MiB); this one is ${length} bytes`,
      );
    }
    const md5 = req.headers['content-md5'];
    if (typeof md5 !== 'string' || md5 === '')
      throw validationError('Content-MD5', 'is required: base64 of the MD5 of the body (RFC 1864)');
    if (!CONTENT_MD5_PATTERN.test(md5)) {
      throw validationError(
        'Content-MD5',
        'must be the base64 of the 16 MD5 bytes (RFC 1864), not hex or another digest',
      );
    }
    let result;
    if (length === 0) {
      if (md5 !== EMPTY_MD5_BASE64)
        throw validationError('Content-MD5', `does not match the empty body (${EMPTY_MD5_BASE64})`);
      result = await store.completeJob(jobId, writerOf(req.socket));
    } else {
      const body = paced(req, deps.shaping(), deps.stopped);
      result = { chunk: await store.appendChunk(jobId, body, md5, writerOf(req.socket)) };
    }
    const location = deps.baseUrl() + paths.chunk(jobId, result.chunk.id);
    return {
      status: 201,
      json: chunkView(jobId, result.chunk),
      headers: { Location: location, 'Content-Location': location },
    };
  }

  /** The foreign-writer fault: another client's chunk lands first (a gone or completed job: nothing). */
  async function foreignAppend(jobId: string, bytes: number): Promise<void> {
    const data = randomBytes(bytes);
    const md5 = createHash('md5').update(data).digest('base64');
    await store.appendChunk(jobId, [data], md5, FOREIGN_WRITER).catch(() => {});
  }

  async function download({ params }: Context): Promise<Reply> {
    const image = store.image(params[0]!);
    return { status: 200, file: { path: image.file, size: image.size } };
  }

  function resolve(method: string, pathname: string, req: IncomingMessage): Route & { params: string[] } {
    const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
    let pathKnown = false;
    for (const { pattern, methods } of routes) {
      const match = pattern.exec(path);
      if (!match) continue;
      pathKnown = true;
      const route = methods[method];
      if (!route) continue;
      const operation =
        route.operation === 'append-chunk' && req.headers['content-length'] === '0'
          ? 'complete-job'
          : route.operation;
      const params = match
        .slice(1)
        .filter((p) => p !== undefined)
        .map(decodeParam);
      return { ...route, operation, authenticated: route.authenticated ?? true, params };
    }
    if (pathKnown) throw new ApiError(405, `${method} is not allowed on ${path}`);
    throw new ApiError(404, `No such resource: ${path}`);
  }

  function authorize(req: IncomingMessage): void {
    // Never echo what was sent: it may be a key.
    if (req.headers.authorization !== `Bearer ${deps.apiKey}`) {
      throw new ApiError(
        401,
        'Authentication failed: send Authorization: Bearer <access key> with a valid key',
      );
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    let route: Route & { params: string[] };
    try {
      route = resolve(req.method ?? 'GET', url.pathname, req);
    } catch (error) {
      return respond(req, res, errorReply(error));
    }
    const { operation } = route;
    const jobId = url.pathname.startsWith(`${jobs}/`) ? route.params[0] : undefined;
    deps.emit({
      type: 'request',
      operation,
      jobId,
      detail: `${req.method} ${url.pathname}`,
      remoteAddress: req.socket.remoteAddress,
    });
    const { call, fault } = deps.faults.nextCall(operation);
    if (fault)
      deps.emit({
        type: 'fault-injected',
        operation,
        jobId,
        detail: `call ${call}: ${JSON.stringify(fault)}`,
      });

    switch (fault?.type) {
      case 'reset-before':
        req.socket.destroy();
        return;
      case 'status':
        return respond(req, res, faultReply(fault.status, fault, req));
      case 'hang':
        await drain(req);
        await new Promise((resolve) => deps.stopped.addEventListener('abort', resolve, { once: true }));
        return;
      case 'foreign-writer':
        if (jobId !== undefined) await foreignAppend(jobId, fault.bytes ?? 4096);
        break;
    }
    if (fault && answersBeforeEffect(fault) && fault.type === 'huge-body') {
      await drain(req);
      return writeHostileBody(res, fault, deps.stopped);
    }

    let reply: Reply;
    try {
      if (route.authenticated) authorize(req);
      reply = await route.handle({ req, query: url.searchParams, params: route.params });
    } catch (error) {
      reply = errorReply(error);
    }
    switch (fault?.type) {
      case 'reset-after':
        req.socket.destroy();
        return;
      case 'status-after':
        reply = faultReply(fault.status, { message: 'injected after the request took effect' });
        break;
      case 'delay':
        await sleep(fault.ms, deps.stopped);
        break;
      case 'huge-body':
      case 'endless-body':
        await drain(req);
        return writeHostileBody(res, fault, deps.stopped);
      case 'endless-paging':
      case 'mangle':
        if (reply.status < 300) reply = { ...reply, json: rewriteJson(reply.json, fault, operation) };
        break;
    }
    return respond(req, res, reply);
  }

  async function respond(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
    const tooLarge = reply.status === 413;
    // Answer only once the request body is in, so the client sees the status rather than a broken pipe;
    // a refused oversize body is not read at all and the connection is closed instead.
    if (!tooLarge) await drain(req);
    const shaping = deps.shaping();
    if (shaping.latencyMs) await sleep(shaping.latencyMs, deps.stopped);
    const headers: Record<string, string | number> = { ...reply.headers };
    if (tooLarge) headers.Connection = 'close';
    if (reply.file) {
      res.writeHead(reply.status, {
        ...headers,
        'Content-Type': 'application/octet-stream',
        'Content-Length': reply.file.size,
      });
      const source = createReadStream(reply.file.path, { highWaterMark: 1024 * 1024 });
      return pipeline(paced(source as AsyncIterable<Buffer>, shaping, deps.stopped), res);
    }
    let body = Buffer.alloc(0);
    if (reply.text) {
      body = Buffer.from(reply.text.data);
      headers['Content-Type'] = reply.text.contentType;
    } else if (reply.json !== undefined) {
      body = Buffer.from(JSON.stringify(reply.json));
      headers['Content-Type'] = 'application/json';
    }
    res.writeHead(reply.status, { ...headers, 'Content-Length': body.length });
    return pipeline(paced([body], shaping, deps.stopped), res);
  }

  function faultReply(
    status: number,
    fault: { retryAfter?: string; html?: boolean; message?: string; echoHeaders?: boolean },
    req?: IncomingMessage,
  ): Reply {
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
    if (fault.html) {
      return { status, text: { contentType: 'text/html', data: gatewayHtml(status) }, headers };
    }
    let message = fault.message ?? `Injected fault: ${status}`;
    // A careless gateway's error page: what the client must never repeat in a log.
    if (fault.echoHeaders && req) message += `; request headers: ${JSON.stringify(req.headers)}`;
    return { status, json: errorBody(status, message), headers };
  }

  return (req, res) => {
    serve(req, res).catch(() => {
      // The client went away or stop() cut a transfer: nothing left to answer.
      res.destroy();
    });
  };
}

function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // malformed escapes: no record has such an id, so it ends as a 404
  }
}

function ok(json: unknown): Reply {
  return { status: 200, json };
}

function errorReply(error: unknown): Reply {
  if (error instanceof ApiError)
    return { status: error.status, json: errorBody(error.status, error.message, error.fields) };
  return { status: 500, json: errorBody(500, `Emulator error: ${(error as Error).message}`) };
}

/** Reads and discards what is left of the request body. */
async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await finished(req);
}

async function readJson(req: IncomingMessage): Promise<UploadJobRequest> {
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
