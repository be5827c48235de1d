import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { EMPTY_MD5_BASE64, type UploadJob } from '../../src/api/types.js';
import { ServiceError } from '../../src/client/errors.js';
import type { UpdateServiceClient } from '../../src/client/client.js';
import { CLIENT_VERSION, PROJECT_URL, userAgent } from '../../src/client/user-agent.js';
import { API_KEY, USER_AGENT, clientFor, errorBody, json, rejectionOf } from '../support/loopback.js';
import { loopbackForSuite } from '../support/suite.js';

const JOB_ID = '0123456789abcdef0123456789abcdef';

function job(overrides: Partial<UploadJob> = {}): UploadJob {
  return {
    object: 'upload-job',
    id: JOB_ID,
    name: 'fw-1.2.3',
    description: 'desc',
    status: 'not_started',
    firmware_image_id: '',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    etag: 'e1',
    ...overrides,
  };
}

const server = loopbackForSuite();
let client: UpdateServiceClient;
let closeClient: () => Promise<void>;

beforeAll(() => {
  ({ client, close: closeClient } = clientFor(server.url));
});
afterAll(() => closeClient());
afterEach(() => {
  server.seen.length = 0;
});

function lastSeen() {
  const request = server.seen.at(-1);
  if (!request) throw new Error('the server saw no request');
  return request;
}

function expectCommonHeaders() {
  const { headers } = lastSeen();
  expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
  expect(headers['user-agent']).toBe(USER_AGENT);
  expect(headers.accept).toBe('application/json');
}

describe('UpdateServiceClient requests', () => {
  it('creates an upload job with a JSON body', async () => {
    server.answer(json(201, job()));
    const created = await client.createUploadJob({ name: 'fw-1.2.3', description: 'desc' });
    expect(created.id).toBe(JOB_ID);
    const seen = lastSeen();
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/v3/firmware-images/upload-jobs');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body.toString())).toEqual({ name: 'fw-1.2.3', description: 'desc' });
    expectCommonHeaders();
  });

  it('gets, updates and deletes an upload job', async () => {
    server.answer(json(200, job({ status: 'in_progress' })));
    expect((await client.getUploadJob(JOB_ID)).status).toBe('in_progress');
    expect(lastSeen()).toMatchObject({ method: 'GET', url: `/v3/firmware-images/upload-jobs/${JOB_ID}` });
    expectCommonHeaders();

    server.answer(json(200, job({ description: 'new' })));
    expect((await client.updateUploadJob(JOB_ID, { description: 'new' })).description).toBe('new');
    expect(lastSeen()).toMatchObject({ method: 'PUT', url: `/v3/firmware-images/upload-jobs/${JOB_ID}` });
    expect(JSON.parse(lastSeen().body.toString())).toEqual({ description: 'new' });

    server.answer((_req, res) => res.writeHead(204).end());
    await expect(client.deleteUploadJob(JOB_ID)).resolves.toBeUndefined();
    expect(lastSeen()).toMatchObject({ method: 'DELETE', url: `/v3/firmware-images/upload-jobs/${JOB_ID}` });
    expectCommonHeaders();
  });

  it('appends a chunk with Content-MD5, Content-Length and the binary content type', async () => {
    const data = Buffer.alloc(700 * 1024, 0xa5); // several body slices
    const md5 = createHash('md5').update(data).digest();
    server.answer((_req, res, body) =>
      json(201, { id: 1, length: body.length, hash: createHash('md5').update(body).digest('hex') })(
        _req,
        res,
        body,
      ),
    );
    const chunk = await client.appendChunk(JOB_ID, data, md5.toString('base64'));
    expect(chunk).toMatchObject({ id: 1, length: data.length, hash: md5.toString('hex') });
    const seen = lastSeen();
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe(`/v3/firmware-images/upload-jobs/${JOB_ID}/chunks`);
    expect(seen.headers['content-type']).toBe('binary/octet-stream');
    expect(seen.headers['content-length']).toBe(String(data.length));
    expect(seen.headers['content-md5']).toBe(md5.toString('base64'));
    expect(seen.headers['transfer-encoding']).toBeUndefined();
    expect(seen.body.equals(data)).toBe(true);
    expectCommonHeaders();
  });

  it('completes a job with an empty chunk', async () => {
    server.answer(json(201, { id: 3, length: 0, hash: 'd41d8cd98f00b204e9800998ecf8427e' }));
    const chunk = await client.appendChunk(JOB_ID, Buffer.alloc(0), EMPTY_MD5_BASE64);
    expect(chunk.length).toBe(0);
    expect(lastSeen().headers['content-length']).toBe('0');
    expect(lastSeen().headers['content-md5']).toBe(EMPTY_MD5_BASE64);
    expect(lastSeen().body.length).toBe(0);
  });

  it('gets a firmware image', async () => {
    server.answer(
      json(200, {
        object: 'firmware-image',
        id: 'img1',
        datafile: 'https://example.invalid/img1.bin',
        datafile_size: 10,
        datafile_checksum: 'ff',
      }),
    );
    expect((await client.getFirmwareImage('img1')).datafile_size).toBe(10);
    expect(lastSeen()).toMatchObject({ method: 'GET', url: '/v3/firmware-images/img1' });
    expectCommonHeaders();
  });

  it('sends list queries and filters as direct query parameters', async () => {
    server.answer(
      json(200, { object: 'list', data: [], has_more: false, limit: 2, order: 'ASC', after: null }),
    );
    await client.listUploadJobs({ name__eq: 'fw a&b', limit: 2, include: 'total_count' });
    const url = new URL(lastSeen().url, server.url);
    expect(url.pathname).toBe('/v3/firmware-images/upload-jobs');
    expect(url.searchParams.get('name__eq')).toBe('fw a&b');
    expect(url.searchParams.get('limit')).toBe('2');
    expect(url.searchParams.get('include')).toBe('total_count');

    await client.listChunks(JOB_ID);
    expect(lastSeen().url).toBe(`/v3/firmware-images/upload-jobs/${JOB_ID}/chunks`);
    await client.listFirmwareImages({ name__eq: 'x' });
    expect(lastSeen().url).toBe('/v3/firmware-images?name__eq=x');
  });

  it('keeps a path prefix of the base URL', async () => {
    const prefixed = clientFor(new URL('/gateway/', server.url));
    try {
      server.answer(json(200, job()));
      await prefixed.client.getUploadJob(JOB_ID);
      expect(lastSeen().url).toBe(`/gateway/v3/firmware-images/upload-jobs/${JOB_ID}`);
    } finally {
      await prefixed.close();
    }
  });

  it('builds the User-Agent from the version constant and project URL', () => {
    expect(userAgent('1.2.3')).toMatch(/^izuma-firmware-publish\/1\.2\.3 \(\+https:\/\/\S+\)$/);
  });

  it("names the package's version and repository, so the constants cannot drift from package.json", async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
      homepage: string;
    };
    expect(CLIENT_VERSION).toBe(pkg.version);
    expect(PROJECT_URL).toBe(pkg.homepage);
  });
});

describe('paging helpers', () => {
  /** Serves `items` in pages of `size`, honouring `after` and echoing the request's filters. */
  function pagedServer(items: readonly { id: string | number }[], size: number) {
    server.answer((req, res) => {
      const url = new URL(req.url ?? '', server.url);
      const after = url.searchParams.get('after');
      const start = after === null ? 0 : items.findIndex((i) => String(i.id) === after) + 1;
      const data = items.slice(start, start + size);
      json(200, {
        object: 'list',
        data,
        has_more: start + size < items.length,
        limit: size,
        order: 'ASC',
        after,
      })(req, res, Buffer.alloc(0));
    });
  }

  it('follows after/has_more through every page, keeping the filter', async () => {
    const jobs = Array.from({ length: 5 }, (_, i) => job({ id: `job${i}` }));
    pagedServer(jobs, 2);
    const all = await client.allUploadJobs({ name__eq: 'fw' });
    expect(all.map((j) => j.id)).toEqual(['job0', 'job1', 'job2', 'job3', 'job4']);
    expect(server.seen).toHaveLength(3);
    const queries = server.seen.map((s) => new URL(s.url, server.url).searchParams);
    expect(queries.map((q) => q.get('after'))).toEqual([null, 'job1', 'job3']);
    expect(queries.every((q) => q.get('name__eq') === 'fw')).toBe(true);
  });

  it('pages chunks (numeric ids) and firmware images', async () => {
    pagedServer(
      [1, 2, 3].map((id) => ({ id, length: 5, hash: 'abc' })),
      2,
    );
    expect((await client.allChunks(JOB_ID)).map((c) => c.id)).toEqual([1, 2, 3]);
    expect(new URL(lastSeen().url, server.url).searchParams.get('after')).toBe('2');

    const image = {
      id: 'a',
      datafile: 'https://example.invalid/a.bin',
      datafile_size: 1,
      datafile_checksum: 'ff',
    };
    pagedServer([image], 2);
    expect((await client.allFirmwareImages({ name__eq: 'a' })).map((i) => i.id)).toEqual(['a']);
  });

  it('stops with a protocol error when the service repeats a page', async () => {
    server.answer(json(200, { object: 'list', data: [{ id: 'x' }], has_more: true, limit: 2, order: 'ASC' }));
    const err = await rejectionOf(client.allUploadJobs());
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).kind).toBe('protocol');
  });
});

describe('error answers', () => {
  it('parses a JSON error body into one clear line', async () => {
    server.answer(
      json(
        400,
        errorBody(400, 'validation_error', 'Invalid name', {
          fields: [{ name: 'name', message: 'too long' }],
        }),
      ),
    );
    const err = (await rejectionOf(client.createUploadJob({ name: 'x' }))) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({
      kind: 'http',
      operation: 'create upload job "x"',
      status: 400,
      type: 'validation_error',
      requestId: 'req-0001',
      fields: [{ name: 'name', message: 'too long' }],
      maybeReceived: false,
    });
    expect(err.message).toBe(
      'create upload job "x" failed: 400 Bad Request [validation_error]: Invalid name (name: too long) (request_id req-0001)',
    );
    expect(err.message).not.toContain('\n');
  });

  it.each([
    [401, /api-key.*region `api-host`/],
    [403, /api-key.*access/],
    [404, /api-host/],
    [409, /on-conflict/],
    [413, /chunk-size/],
    [429, /rate-limiting/],
  ])('gives a hint for %i', async (status, hint) => {
    server.answer(json(status, errorBody(status, 'x', 'no')));
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err.status).toBe(status);
    expect(err.hint).toMatch(hint);
  });

  it('recognises a quota message', async () => {
    server.answer(json(403, errorBody(403, 'forbidden', 'Firmware image quota exceeded for this account')));
    const err = (await rejectionOf(client.createUploadJob({ name: 'x' }))) as ServiceError;
    expect(err.hint).toMatch(/quota/);
  });

  it('survives a gateway HTML page', async () => {
    server.answer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1>{"broken": </body></html>');
    });
    const err = (await rejectionOf(
      client.appendChunk(JOB_ID, Buffer.from('abc'), 'kAFQmDzST7DWlj99KOF/cg==', 'append chunk 2 of 9'),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'http', status: 502, maybeReceived: true });
    expect(err.message).toBe('append chunk 2 of 9 failed: 502 Bad Gateway (non-JSON body)');
  });

  it('survives an empty error body', async () => {
    server.answer((_req, res) => res.writeHead(503).end());
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err.detail).toBe('503 Service Unavailable (empty body)');
  });

  it('reads Retry-After in seconds', async () => {
    server.answer(json(429, errorBody(429, 'too_many_requests', 'slow down'), { 'retry-after': '7' }));
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err.retryAfterMs).toBe(7000);
  });

  it('reads Retry-After as an HTTP date, relative to the response Date', async () => {
    const date = new Date('2026-03-01T10:00:00Z');
    server.answer(
      json(503, errorBody(503, 'unavailable', 'later'), {
        date: date.toUTCString(),
        'retry-after': new Date(date.getTime() + 120_000).toUTCString(),
      }),
    );
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err.retryAfterMs).toBe(120_000);
  });

  it('reads a Retry-After date against the injected clock when there is no Date header', async () => {
    const fixed = clientFor(server.url, { now: () => Date.parse('2026-03-01T10:00:00Z') });
    try {
      server.answer((_req, res) => {
        res.sendDate = false;
        res.writeHead(503, { 'retry-after': 'Sun, 01 Mar 2026 10:00:30 GMT' });
        res.end();
      });
      const err = (await rejectionOf(fixed.client.getUploadJob(JOB_ID))) as ServiceError;
      expect(err.retryAfterMs).toBe(30_000);
    } finally {
      await fixed.close();
    }
  });

  it('does not follow a redirect', async () => {
    let followed = false;
    server.answer((req, res) => {
      if (req.url === '/elsewhere') followed = true;
      res.writeHead(301, { location: `${server.url.origin}/elsewhere` }).end();
    });
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err).toMatchObject({ kind: 'protocol', status: 301, maybeReceived: false });
    expect(err.message).toMatch(/redirect/);
    expect(err.hint).toMatch(/api-host/);
    expect(followed).toBe(false);
    expect(server.seen).toHaveLength(1);
  });

  it('never puts the key in an error, even when the server echoes the Authorization header', async () => {
    server.answer((req, res) => {
      const echo = `Bad header Authorization: ${req.headers.authorization}`;
      res.writeHead(401, { 'content-type': 'application/json', 'x-request-id': API_KEY });
      res.end(
        JSON.stringify({
          object: 'error',
          code: 401,
          type: `unauthorized ${API_KEY}`,
          message: echo,
          fields: [{ name: API_KEY, message: echo }],
        }),
      );
    });
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err.status).toBe(401);
    expect(err.message).toContain('Bad header Authorization: Bearer ***');
    const everything = JSON.stringify({ ...err, message: err.message, hint: err.hint, detail: err.detail });
    expect(everything).not.toContain(API_KEY);
  });

  it('never puts the key in a plain-text echo either', async () => {
    server.answer((req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`rejected headers: ${JSON.stringify(req.headers)}`);
    });
    const err = (await rejectionOf(client.getUploadJob(JOB_ID))) as ServiceError;
    expect(err.message).toMatch(/^get upload job \S+ failed: 400 Bad Request \(non-JSON body\)$/);
    expect(err.message).not.toContain(API_KEY);
  });

  it('turns a 2xx answer that is not JSON into a protocol error that may have taken effect', async () => {
    server.answer((_req, res) => res.writeHead(201, { 'content-type': 'text/html' }).end('<html>ok</html>'));
    const err = (await rejectionOf(
      client.appendChunk(JOB_ID, Buffer.from('a'), 'DMF1ucDxtqgxw5niaXcmYQ=='),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'protocol', maybeReceived: true });
  });
});
