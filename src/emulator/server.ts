// Request handling: routing, auth, the fault hooks around each operation, shaping of the answer.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { ApiError, errorBody, gatewayHtml } from './errors.js';
import type { FaultBook } from './faults.js';
import { answersBeforeEffect, rewriteJson, writeHostileBody } from './hostile.js';
import { drain, errorReply, type Handler, type Reply, type RouteTable } from './reply.js';
import { RELEASE_ROUTES, releaseHandlers, type ReleaseDeps } from './release-routes.js';
import { paced, sleep } from './shaping.js';
import type { EmulatorEvent, Operation, Shaping } from './types.js';
import { jobIdOf, UPLOAD_ROUTES, uploadSide } from './upload-routes.js';

export type { Context, Reply, RouteTable } from './reply.js';

/**
 * The operations anyone may call: the `datafile` URLs of images and manifests carry no key (on the service,
 * both are files in its media bucket).
 */
const PUBLIC_OPERATIONS: readonly Operation[] = ['download', 'download-manifest'];

/** What both sides of the API serve from (upload-routes.ts, release-routes.ts), and the server's own. */
export interface ServerDeps extends ReleaseDeps {
  faults: FaultBook;
  apiKey: string;
  shaping: () => Shaping;
  emit: (event: Omit<EmulatorEvent, 'time'>) => void;
  /** Aborted by stop(): ends hangs, delays and paced transfers. */
  stopped: AbortSignal;
}

interface Route {
  operation: Operation;
  params: string[];
}

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const upload = uploadSide(deps);
  // Every operation has its handler, or this does not typecheck.
  const handlers: Record<Operation, Handler> = {
    ...upload.handlers,
    ...releaseHandlers(deps),
  };
  const routes: RouteTable = [...UPLOAD_ROUTES, ...RELEASE_ROUTES];

  function resolve(method: string, pathname: string, req: IncomingMessage): Route {
    const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
    let pathKnown = false;
    for (const { pattern, methods } of routes) {
      const match = pattern.exec(path);
      if (!match) continue;
      pathKnown = true;
      const routed = methods[method as keyof typeof methods];
      if (!routed) continue;
      const operation =
        routed === 'append-chunk' && req.headers['content-length'] === '0' ? 'complete-job' : routed;
      const params = match
        .slice(1)
        .filter((p) => p !== undefined)
        .map(decodeParam);
      return { operation, params };
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
    let route: Route;
    try {
      route = resolve(req.method ?? 'GET', url.pathname, req);
    } catch (error) {
      return respond(req, res, errorReply(error));
    }
    const { operation } = route;
    const jobId = jobIdOf(url.pathname, route.params);
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
        if (jobId !== undefined) await upload.foreignAppend(jobId, fault.bytes ?? 4096);
        break;
    }
    if (fault && answersBeforeEffect(fault) && fault.type === 'huge-body') {
      await drain(req);
      return writeHostileBody(res, fault, deps.stopped);
    }

    let reply: Reply;
    try {
      if (!PUBLIC_OPERATIONS.includes(operation)) authorize(req);
      reply = await handlers[operation]({ req, query: url.searchParams, params: route.params });
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
      case undefined:
      case 'foreign-writer':
        break; // no fault, or one that acted before the request
      default:
        return unhandledFault(fault);
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

/** Compile-time: a fault type that neither switch of serve() handles leaves `fault` not `never` here. */
function unhandledFault(fault: never): never {
  throw new Error(`the emulator does not handle the fault ${JSON.stringify(fault)}`);
}
