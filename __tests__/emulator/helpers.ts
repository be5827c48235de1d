// Shared by the emulator tests: raw HTTP requests (so headers like Content-Length can be left out or
// lied about) and schema checks of every response.
import { expect } from '@jest/globals';
import { emulatorForSuite } from '../support/suite.js';
import { createHash, randomBytes } from 'node:crypto';
import {
  request as httpRequest,
  type Agent,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { paths } from '../../src/api/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { responseSchemas, schemaErrors, type ResponseKind } from '../support/contract.js';

export const API_KEY = 'ak_test_key';
export const AUTH = { Authorization: `Bearer ${API_KEY}` };

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** Send the body with chunked transfer-encoding (no Content-Length). */
  chunked?: boolean;
  ca?: string | Buffer;
  /** A keep-alive agent, to send several requests over one connection (default: a fresh one each). */
  agent?: Agent;
}

/** One request on a fresh connection. Rejects on a network error (reset, hang up). */
export function send(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Response> {
  const url = new URL(path, baseUrl);
  const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  const headers: OutgoingHttpHeaders = { ...opts.headers };
  if (opts.chunked) headers['Transfer-Encoding'] = 'chunked';
  else if (body && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: opts.agent ?? false, ca: opts.ca }, (res) => {
      const pieces: Buffer[] = [];
      res.on('data', (piece: Buffer) => pieces.push(piece));
      res.on('error', reject);
      res.on('end', () => {
        const bodyBytes = Buffer.concat(pieces);
        const isJson = (res.headers['content-type'] ?? '').startsWith('application/json');
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: bodyBytes,
          json: isJson ? JSON.parse(bodyBytes.toString()) : undefined,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The API as a client would call it (authorized), with a small vocabulary for the tests. */
/** `agent`: one keep-alive connection for every request of this client (default: a fresh one each). */
export function api(emulator: Pick<Emulator, 'url'>, ca?: string | Buffer, agent?: Agent) {
  const call = (method: string, path: string, opts: RequestOptions = {}) =>
    send(emulator.url, method, path, { ...opts, ca, agent, headers: { ...AUTH, ...opts.headers } });
  return {
    call,
    createJob: (body: object) =>
      call('POST', paths.uploadJobs, {
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      }),
    getJob: (id: string) => call('GET', paths.uploadJob(id)),
    updateJob: (id: string, body: object) =>
      call('PUT', paths.uploadJob(id), {
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      }),
    deleteJob: (id: string) => call('DELETE', paths.uploadJob(id)),
    appendChunk: (jobId: string, data: Buffer, md5 = md5Base64(data)) =>
      call('POST', paths.chunks(jobId), {
        body: data,
        headers: { 'Content-Type': 'binary/octet-stream', 'Content-MD5': md5 },
      }),
    listChunks: (jobId: string, query = '') => call('GET', `${paths.chunks(jobId)}${query}`),
    getChunk: (jobId: string, chunkId: number) => call('GET', paths.chunk(jobId, chunkId)),
    listJobs: (query = '') => call('GET', `${paths.uploadJobs}${query}`),
    listImages: (query = '') => call('GET', `${paths.firmwareImages}${query}`),
    getImage: (id: string) => call('GET', paths.firmwareImage(id)),
    /** create → chunks → zero-length chunk; returns the completed job. */
    async upload(name: string, chunks: Buffer[]) {
      const job = (await this.createJob({ name })).json;
      for (const chunk of chunks) expect((await this.appendChunk(job.id, chunk)).status).toBe(201);
      expect((await this.appendChunk(job.id, Buffer.alloc(0))).status).toBe(201);
      return (await this.getJob(job.id)).json;
    },
  };
}

/** For one describe: an emulator with the tests' key (started before its tests, stopped after) and api() on it. */
export function serviceForSuite(options: Parameters<typeof emulatorForSuite>[0] = {}) {
  const emulator = emulatorForSuite({ apiKey: API_KEY, ...options });
  return { emulator, service: api(emulator) };
}

export function md5Base64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Random bytes: a misplaced or lost piece changes the checksum. */
export function randomData(length: number): Buffer {
  return randomBytes(length);
}

/** The response body validates against the schema the contract gives that kind (support/contract.ts). */
export function expectSchema(kind: ResponseKind, body: unknown): void {
  expect(schemaErrors(responseSchemas[kind], body)).toEqual([]);
}

/** An error response: the status, the contract's error body, and its type. */
export function expectError(res: Response, status: number, type: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expectSchema('error', res.json);
  expect(res.json).toMatchObject({ object: 'error', code: status, type });
  expect(res.json.request_id).toMatch(/^[0-9a-f]{32}$/);
}

export const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
export const ID = /^[0-9a-f]{32}$/;
