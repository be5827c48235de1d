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
import { downloadFile } from './download.js';
import { cleanServerText, httpError, ServiceError, statusLine } from './errors.js';
import {
  exchange,
  type IncomingResponse,
  type OutgoingRequest,
  type StreamedBody,
  type TransportContext,
} from './transport.js';
import { checkEntity, checkPage, protocolError, type Entity } from './validate.js';

/** Filters go out as direct query parameters: `{ name__eq: 'x', status__in: 'a,b' }`. */

/** How long a cancelled run's last requests may take, together: within the 5 s cancel deadline. */
export const AFTER_CANCEL_TIMEOUT_MS = 2_000;
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
 * The most pages a paging helper follows: 100,000 entries, far beyond a real account or job (a 10 GiB
 * image in 5 MiB chunks is 2048 chunks); a service that says `has_more` forever ends here.
 */
export const MAX_PAGES = 100;

/**
 * One typed method per Update Service operation, ONE attempt each (retries live in the uploader).
 * Every failure is a ServiceError. The release operations (manifests, campaigns, devices) extend it in
 * campaigns.ts through the protected exchange helpers.
 */
export class UpdateServiceClient {
  private readonly transport: TransportContext;
  private readonly basePath: string;
  private readonly commonHeaders: Record<string, string>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly apiKey: string;

  constructor(private readonly options: UpdateServiceClientOptions) {
    const opts = options;
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

  /**
   * This client without the run's signal, every request cut off `timeoutMs` from now: for what a cancelled
   * run still reads or writes (releasing its upload job, so that a re-run resumes it at once; a campaign's
   * failed devices). The default leaves the rest of the cancel deadline (5 s, src/app/cancel.ts) for the
   * summary and the exit.
   */
  withoutSignal(timeoutMs = AFTER_CANCEL_TIMEOUT_MS): this {
    // The same class (a DeviceManagementClient stays one), with the same options but the signal.
    const Client = this.constructor as new (options: UpdateServiceClientOptions) => this;
    return new Client({ ...this.options, signal: AbortSignal.timeout(timeoutMs) });
  }

  createUploadJob(req: UploadJobRequest & { name: string }): Promise<UploadJob> {
    return this.json('upload job', `create upload job "${req.name}"`, 'POST', paths.uploadJobs, req);
  }

  listUploadJobs(query?: ListQuery): Promise<ListPage<UploadJob>> {
    return this.list('upload job', 'list upload jobs', paths.uploadJobs, query);
  }

  getUploadJob(id: string): Promise<UploadJob> {
    return this.json('upload job', `get upload job ${id}`, 'GET', paths.uploadJob(id));
  }

  updateUploadJob(id: string, req: UploadJobRequest): Promise<UploadJob> {
    return this.json('upload job', `update upload job ${id}`, 'PUT', paths.uploadJob(id), req);
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
    const chunk = this.parseObject(operation, response);
    // The completing chunk's answer is not relied on (the job is read back), so any object will do.
    if (body.length === 0) return chunk as unknown as UploadChunk;
    return checkEntity('upload chunk', chunk, operation, true);
  }

  listChunks(jobId: string, query?: ListQuery): Promise<ListPage<UploadChunk>> {
    return this.list('upload chunk', `list chunks of upload job ${jobId}`, paths.chunks(jobId), query);
  }

  listFirmwareImages(query?: ListQuery): Promise<ListPage<FirmwareImage>> {
    return this.list('firmware image', 'list firmware images', paths.firmwareImages, query);
  }

  getFirmwareImage(id: string): Promise<FirmwareImage> {
    return this.json('firmware image', `get firmware image ${id}`, 'GET', paths.firmwareImage(id));
  }

  allUploadJobs(filter?: ListFilter): Promise<UploadJob[]> {
    return this.all('list upload jobs', (q) => this.listUploadJobs(q), filter);
  }

  allChunks(jobId: string): Promise<UploadChunk[]> {
    return this.all(`list chunks of upload job ${jobId}`, (q) => this.listChunks(jobId, q));
  }

  allFirmwareImages(filter?: ListFilter): Promise<FirmwareImage[]> {
    return this.all('list firmware images', (q) => this.listFirmwareImages(q), filter);
  }

  /**
   * Follows `has_more`, asking for the page after the last item seen; stops with a protocol error at a
   * cursor seen before (the service repeats itself) or after MAX_PAGES pages (it never ends).
   */
  protected async all<T extends { id: string | number }>(
    operation: string,
    listPage: (query: ListQuery) => Promise<ListPage<T>>,
    filter?: ListFilter,
  ): Promise<T[]> {
    const items: T[] = [];
    const cursors = new Set<string>();
    let after: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await listPage({ ...filter, limit: MAX_PAGE_LIMIT, order: 'ASC', after });
      items.push(...page.data);
      const last = page.data.at(-1);
      if (!page.has_more || last === undefined) return items;
      after = String(last.id);
      if (cursors.has(after)) {
        throw protocolError(
          operation,
          `the service repeated the page after ${after} (has_more without end)`,
          false,
        );
      }
      if (pages >= MAX_PAGES) {
        throw protocolError(operation, `more than ${MAX_PAGES} pages (has_more without end)`, false);
      }
      cursors.add(after);
    }
  }

  protected async list<E extends Entity>(entity: E, operation: string, path: string, query: ListQuery = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.size > 0 ? `?${params}` : '';
    const response = await this.call(operation, { method: 'GET', path: `${path}${search}`, headers: {} });
    return checkPage(entity, this.parseObject(operation, response), operation);
  }

  protected async json<E extends Entity>(
    entity: E,
    operation: string,
    method: OutgoingRequest['method'],
    path: string,
    body?: object,
  ) {
    const headers: Record<string, string> = {};
    let payload: Buffer | undefined;
    if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const response = await this.call(operation, { method, path, headers, body: payload });
    // A 2xx to a change took effect, even when its answer is unusable.
    return checkEntity(entity, this.parseObject(operation, response), operation, method !== 'GET');
  }

  /** One exchange; any status outside 2xx becomes a ServiceError (3xx included: redirects are never followed). */
  protected async call(operation: string, request: OutgoingRequest): Promise<IncomingResponse> {
    const path = `${this.basePath}${request.path}`;
    const response = await exchange(this.transport, operation, {
      ...request,
      path,
      headers: { ...this.commonHeaders, ...request.headers },
    });
    this.logger.debug(`${request.method} ${path} -> ${response.status}`);
    return this.checkStatus(operation, response);
  }

  /** A file the service stores at a URL of its own (download.ts: without the key, https only). */
  protected async download(operation: string, url: string, maxBytes: number): Promise<Buffer> {
    const userAgent = this.commonHeaders['user-agent']!;
    const response = await downloadFile(this.transport, { operation, url, userAgent, maxBytes });
    this.logger.debug(`GET ${new URL(url).origin} (${operation}) -> ${response.status}`);
    return this.checkStatus(operation, response).body;
  }

  private checkStatus(operation: string, response: IncomingResponse): IncomingResponse {
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

  protected parseObject(operation: string, response: IncomingResponse): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      // The service answered 2xx, so the request took effect even though the answer is unreadable.
      throw protocolError(operation, `a ${response.status} answer that is not a JSON object`, true);
    }
    return parsed as Record<string, unknown>;
  }
}
