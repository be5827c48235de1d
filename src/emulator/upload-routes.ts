// The upload-jobs side of the emulator: its routes and one handler per operation.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { EMPTY_MD5_BASE64, MAX_CHUNK_SIZE, paths } from '../api/types.js';
import { md5Base64 } from '../image/md5.js';
import { ApiError, validationError } from './errors.js';
import { listPage, parseListQuery } from './listing.js';
import { ID, ok, readJson, type Context, type Handler, type Reply, type RouteTable } from './reply.js';
import { paced } from './shaping.js';
import {
  chunkView,
  datafilePath,
  FOREIGN_WRITER,
  imageView,
  jobView,
  shortDatafilePath,
  type Writer,
} from './records.js';
import type { Store } from './store.js';
import type { Shaping, UploadOperation } from './types.js';

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
/** RFC 1864: base64 of the 16 raw digest bytes. */
const CONTENT_MD5_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

const jobs = paths.uploadJobs;

/** A chunk POST without a body is `complete-job` (server.ts tells them apart by Content-Length). */
export const UPLOAD_ROUTES: RouteTable = [
  { pattern: new RegExp(`^${jobs}$`), methods: { GET: 'list-jobs', POST: 'create-job' } },
  {
    pattern: new RegExp(`^${jobs}/${ID}$`),
    methods: { GET: 'get-job', PUT: 'update-job', DELETE: 'delete-job' },
  },
  { pattern: new RegExp(`^${jobs}/${ID}/chunks$`), methods: { GET: 'list-chunks', POST: 'append-chunk' } },
  { pattern: new RegExp(`^${jobs}/${ID}/chunks/${ID}$`), methods: { GET: 'get-chunk' } },
  { pattern: /^\/v3\/firmware-images$/, methods: { GET: 'list-images' } },
  { pattern: new RegExp(`^/v3/firmware-images/${ID}$`), methods: { GET: 'get-image' } },
  {
    pattern: new RegExp(`^${datafilePath(ID).replace(/\.bin$/, '\\.bin')}$|^${shortDatafilePath(ID)}$`),
    methods: { GET: 'download' },
  },
];

/** The job an upload-jobs path names, if any (what a foreign-writer fault writes to). */
export function jobIdOf(pathname: string, params: string[]): string | undefined {
  return pathname.startsWith(`${jobs}/`) ? params[0] : undefined;
}

export interface UploadDeps {
  store: Store;
  shortDatafile: boolean;
  baseUrl: () => string;
  shaping: () => Shaping;
  stopped: AbortSignal;
}

export interface UploadSide {
  handlers: Record<UploadOperation, Handler>;
  /** The foreign-writer fault: another client's chunk lands first (a gone or completed job: nothing). */
  foreignAppend(jobId: string, bytes: number): Promise<void>;
}

export function uploadSide(deps: UploadDeps): UploadSide {
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
  const imageViewOf = (imageId: string) =>
    imageView(store.image(imageId), deps.baseUrl(), deps.shortDatafile);

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
    checkContentMd5(req);
    const md5 = req.headers['content-md5'] as string;
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

  const handlers = {
    'list-jobs': async ({ query }) =>
      ok(listPage(store.allJobs().map(jobView), parseListQuery(query, JOB_FILTERS))),
    'create-job': createJob,
    'get-job': async ({ params }) => ok(jobView(store.job(params[0]!))),
    'update-job': updateJob,
    'delete-job': async ({ params }) => (await store.deleteJob(params[0]!), { status: 204 }),
    'list-chunks': async ({ params, query }) => {
      const jobId = params[0]!;
      const chunks = store.job(jobId).chunks.map((c) => chunkView(jobId, c));
      return ok(listPage(chunks, parseListQuery(query, CHUNK_FILTERS)));
    },
    'append-chunk': postChunk,
    'complete-job': postChunk,
    'get-chunk': async ({ params }) => {
      const [jobId, chunkId] = params as [string, string];
      store.job(jobId); // a bad job id is the first thing to report
      if (!/^\d+$/.test(chunkId)) throw new ApiError(404, `Chunk ${chunkId} not found`);
      return ok(chunkView(jobId, store.chunk(jobId, Number(chunkId))));
    },
    'list-images': async ({ query }) => {
      const views = store.allImages().map((image) => imageView(image, deps.baseUrl(), deps.shortDatafile));
      return ok(listPage(views, parseListQuery(query, IMAGE_FILTERS)));
    },
    'get-image': async ({ params }) => ok(imageViewOf(params[0]!)),
    download: async ({ params }) => {
      const image = store.image(params[0]!);
      return { status: 200, file: { path: image.file, size: image.size } };
    },
  } satisfies Record<UploadOperation, Handler>;

  return {
    handlers,
    async foreignAppend(jobId, bytes) {
      const data = randomBytes(bytes);
      await store.appendChunk(jobId, [data], md5Base64(data), FOREIGN_WRITER).catch(() => {});
    },
  };
}

function checkContentMd5(req: IncomingMessage): void {
  const md5 = req.headers['content-md5'];
  if (typeof md5 !== 'string' || md5 === '')
    throw validationError('Content-MD5', 'is required: base64 of the MD5 of the body (RFC 1864)');
  if (!CONTENT_MD5_PATTERN.test(md5)) {
    throw validationError(
      'Content-MD5',
      'must be the base64 of the 16 MD5 bytes (RFC 1864), not hex or another digest',
    );
  }
}
