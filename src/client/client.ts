import type { Dispatcher } from 'undici';
import {
  paths,
  type FirmwareImage,
  type ListPage,
  type SortOrder,
  type UploadChunk,
  type UploadJob,
  type UploadJobRequest,
} from '../api/types.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { cleanServerText, httpError, ServiceError, statusLine } from './errors.js';
import {
  exchange,
  type IncomingResponse,
  type OutgoingRequest,
  type StreamedBody,
  type TransportContext,
} from './transport.js';

/** Filters go out as direct query parameters: `{ name__eq: 'x', status__in: 'a,b' }`. */
export type ListFilter = Record<string, string | number | boolean | undefined>;

export type ListQuery = ListFilter & {
  limit?: number;
  after?: string;
  order?: SortOrder;
  /** e.g. 'total_count' */
  include?: string;
};

export interface UpdateServiceClientOptions {
  baseUrl: URL;
  apiKey: string;
  dispatcher: Dispatcher;
  userAgent: string;
  /** Stall timeout: a request is abandoned after this long with no bytes moving. */
  requestTimeoutMs: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Wall-clock epoch ms, for a Retry-After HTTP date when the response has no Date header. */
  now?: () => number;
}

/** The service's largest page; the paging helpers use it to make the fewest requests. */
export const MAX_PAGE_LIMIT = 1000;

/**
 * One typed method per Update Service operation, ONE attempt each (retries live in the uploader).
 * Every failure is a ServiceError.
 */
export class UpdateServiceClient {
  private readonly transport: TransportContext;
  private readonly basePath: string;
  private readonly commonHeaders: Record<string, string>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly apiKey: string;

  constructor(opts: UpdateServiceClientOptions) {
    this.apiKey = opts.apiKey;
    this.transport = {
      dispatcher: opts.dispatcher,
      origin: opts.baseUrl.origin,
      stallTimeoutMs: opts.requestTimeoutMs,
      signal: opts.signal,
      secret: opts.apiKey,
    };
    this.basePath = opts.baseUrl.pathname.replace(/\/+$/, '');
    this.commonHeaders = {
      authorization: `Bearer ${opts.apiKey}`,
      'user-agent': opts.userAgent,
      accept: 'application/json',
    };
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  createUploadJob(req: UploadJobRequest & { name: string }): Promise<UploadJob> {
    return this.json(`create upload job "${req.name}"`, 'POST', paths.uploadJobs, req);
  }

  listUploadJobs(query?: ListQuery): Promise<ListPage<UploadJob>> {
    return this.list('list upload jobs', paths.uploadJobs, query);
  }

  getUploadJob(id: string): Promise<UploadJob> {
    return this.json(`get upload job ${id}`, 'GET', paths.uploadJob(id));
  }

  updateUploadJob(id: string, req: UploadJobRequest): Promise<UploadJob> {
    return this.json(`update upload job ${id}`, 'PUT', paths.uploadJob(id), req);
  }

  async deleteUploadJob(id: string): Promise<void> {
    await this.call(`delete upload job ${id}`, { method: 'DELETE', path: paths.uploadJob(id), headers: {} });
  }

  /**
   * Appends one chunk; an empty body completes the job. `operation` names it in errors and logs
   * (e.g. 'append chunk 3 of 40'). The returned chunk's `hash` may be hex or base64. A StreamedBody is
   * opened (read) afresh by each call, and an error from it is thrown as it is, not as a ServiceError.
   */
  async appendChunk(
    jobId: string,
    body: Buffer | StreamedBody,
    md5Base64: string,
    operation = 'append chunk',
  ): Promise<UploadChunk> {
    const response = await this.call(operation, {
      method: 'POST',
      path: paths.chunks(jobId),
      headers: {
        'content-type': 'binary/octet-stream',
        'content-length': String(body.length),
        'content-md5': md5Base64,
      },
      body,
    });
    return this.parseObject<UploadChunk>(operation, response);
  }

  listChunks(jobId: string, query?: ListQuery): Promise<ListPage<UploadChunk>> {
    return this.list(`list chunks of upload job ${jobId}`, paths.chunks(jobId), query);
  }

  getChunk(jobId: string, chunkId: number): Promise<UploadChunk> {
    return this.json(`get chunk ${chunkId} of upload job ${jobId}`, 'GET', paths.chunk(jobId, chunkId));
  }

  listFirmwareImages(query?: ListQuery): Promise<ListPage<FirmwareImage>> {
    return this.list('list firmware images', paths.firmwareImages, query);
  }

  getFirmwareImage(id: string): Promise<FirmwareImage> {
    return this.json(`get firmware image ${id}`, 'GET', paths.firmwareImage(id));
  }

  allUploadJobs(filter?: ListFilter): Promise<UploadJob[]> {
    return this.all((q) => this.listUploadJobs(q), filter);
  }

  allChunks(jobId: string): Promise<UploadChunk[]> {
    return this.all((q) => this.listChunks(jobId, q));
  }

  allFirmwareImages(filter?: ListFilter): Promise<FirmwareImage[]> {
    return this.all((q) => this.listFirmwareImages(q), filter);
  }

  /** Follows `has_more`, asking for the page after the last item seen. */
  private async all<T extends { id: string | number }>(
    listPage: (query: ListQuery) => Promise<ListPage<T>>,
    filter?: ListFilter,
  ): Promise<T[]> {
    const items: T[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listPage({ ...filter, limit: MAX_PAGE_LIMIT, order: 'ASC', after });
      items.push(...page.data);
      const last = page.data.at(-1);
      if (!page.has_more || last === undefined) return items;
      if (String(last.id) === after) {
        throw new ServiceError({
          kind: 'protocol',
          operation: 'list',
          detail: `the service repeated the page after ${after}`,
          maybeReceived: false,
        });
      }
      after = String(last.id);
    }
  }

  private async list<T>(operation: string, path: string, query: ListQuery = {}): Promise<ListPage<T>> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.size > 0 ? `?${params}` : '';
    const page = await this.json<ListPage<T>>(operation, 'GET', `${path}${search}`);
    if (!Array.isArray(page.data)) throw this.unexpected(operation, 'a list without `data`', false);
    return page;
  }

  private async json<T>(
    operation: string,
    method: OutgoingRequest['method'],
    path: string,
    body?: object,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    let payload: Buffer | undefined;
    if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const response = await this.call(operation, { method, path, headers, body: payload });
    return this.parseObject<T>(operation, response);
  }

  /** One exchange; any status outside 2xx becomes a ServiceError (3xx included: redirects are never followed). */
  private async call(operation: string, request: OutgoingRequest): Promise<IncomingResponse> {
    const path = `${this.basePath}${request.path}`;
    const response = await exchange(this.transport, operation, {
      ...request,
      path,
      headers: { ...this.commonHeaders, ...request.headers },
    });
    this.logger.debug(`${request.method} ${path} -> ${response.status}`);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.location;
      const target = typeof location === 'string' ? ` to ${cleanServerText(location, this.apiKey)}` : '';
      throw new ServiceError({
        kind: 'protocol',
        operation,
        status: response.status,
        detail: `the host redirected (${statusLine(response.status)}${target}); redirects are not followed`,
        maybeReceived: false,
      });
    }
    if (response.status < 200 || response.status >= 300) {
      throw httpError(operation, response, this.apiKey, this.now);
    }
    return response;
  }

  private parseObject<T>(operation: string, response: IncomingResponse): T {
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      // The service answered 2xx, so the request took effect even though the answer is unreadable.
      throw this.unexpected(operation, `a ${response.status} answer that is not a JSON object`, true);
    }
    return parsed as T;
  }

  private unexpected(operation: string, what: string, maybeReceived: boolean): ServiceError {
    return new ServiceError({
      kind: 'protocol',
      operation,
      detail: `unexpected response: ${what}`,
      maybeReceived,
    });
  }
}
