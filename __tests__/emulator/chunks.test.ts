import { describe, expect, it } from '@jest/globals';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMPTY_MD5_BASE64, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, paths } from '../../src/api/types.js';
import { startEmulator } from '../../src/emulator/index.js';
import {
  API_KEY,
  AUTH,
  api,
  serviceForSuite,
  expectError,
  expectSchema,
  ID,
  md5Base64,
  randomData,
  RFC3339_MICROS,
  send,
  sha256Hex,
} from './helpers.js';

const md5Hex = (data: Buffer) => Buffer.from(md5Base64(data), 'base64').toString('hex');

/** Polls a condition of the emulator's state (no timing assertion: it only waits for the state). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

/** A chunk POST whose body is sent in parts under the test's control. */
function openChunkPost(baseUrl: string, jobId: string, data: Buffer) {
  const req = request(new URL(paths.chunks(jobId), baseUrl), {
    method: 'POST',
    agent: false,
    headers: {
      ...AUTH,
      'Content-Type': 'binary/octet-stream',
      'Content-Length': data.length,
      'Content-MD5': md5Base64(data),
    },
  });
  const response = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
  });
  return { req, response };
}

describe('emulator: chunks, completion and firmware images', () => {
  const { emulator, service } = serviceForSuite();

  it("replays the guide's flow step by step", async () => {
    const first = randomData(MIN_CHUNK_SIZE);
    const last = randomData(1000);

    // Create the job.
    const created = await service.createJob({ name: 'guide-flow', description: 'rehearsal' });
    expect(created.status).toBe(201);
    const jobId = created.json.id;
    expect((await service.listJobs()).json.data).toEqual([created.json]);

    // Append the chunks, one at a time.
    const chunk1 = await service.appendChunk(jobId, first);
    expect(chunk1.status).toBe(201);
    expectSchema('uploadChunk', chunk1.json);
    expect(chunk1.json).toEqual({
      object: 'upload-info',
      id: 1,
      length: MIN_CHUNK_SIZE,
      hash: md5Hex(first),
      upload_job_id: jobId,
      created_at: expect.stringMatching(RFC3339_MICROS),
      updated_at: chunk1.json.created_at,
      etag: chunk1.json.created_at,
    });
    expect(chunk1.headers.location).toBe(`${emulator.url}${paths.chunk(jobId, 1)}`);
    expect(chunk1.headers['content-location']).toBe(chunk1.headers.location);
    expect((await service.getJob(jobId)).json).toMatchObject({
      status: 'in_progress',
      completed: false,
      complete: false,
    });

    const chunk2 = await service.appendChunk(jobId, last);
    expect(chunk2.json).toMatchObject({ id: 2, length: 1000, hash: md5Hex(last) });

    // View the chunks' metadata.
    const chunks = await service.listChunks(jobId);
    expectSchema('uploadChunkPage', chunks.json);
    expect(chunks.json).toEqual({
      object: 'list',
      data: [chunk1.json, chunk2.json],
      has_more: false,
      limit: 50,
      order: 'ASC',
      after: null,
    });
    const one = await service.getChunk(jobId, 1);
    expect(one.status).toBe(200);
    expectSchema('uploadChunk', one.json);
    expect(one.json).toEqual(chunk1.json);

    // End the upload with a zero-length chunk.
    const end = await service.appendChunk(jobId, Buffer.alloc(0));
    expect(end.status).toBe(201);
    expectSchema('uploadChunk', end.json);
    expect(end.json).toMatchObject({ id: 3, length: 0, hash: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(end.headers.location).toBe(`${emulator.url}${paths.chunk(jobId, 3)}`);

    // The completed job.
    const job = (await service.getJob(jobId)).json;
    expectSchema('uploadJob', job);
    expect(job).toMatchObject({
      status: 'completed',
      completed: true,
      complete: true,
      firmware_image_id: expect.stringMatching(ID),
    });
    expect(job.etag).toBe(job.updated_at);
    expect(job.updated_at > created.json.updated_at).toBe(true);
    expect((await service.listChunks(jobId)).json.data).toEqual([]);

    // The firmware image, and its bytes at the datafile URL (no auth needed there).
    const imageRes = await service.getImage(job.firmware_image_id);
    expect(imageRes.status).toBe(200);
    expectSchema('firmwareImage', imageRes.json);
    const image = imageRes.json;
    const whole = Buffer.concat([first, last]);
    expect(image).toEqual({
      object: 'firmware-image',
      id: job.firmware_image_id,
      name: 'guide-flow',
      description: 'rehearsal',
      datafile: expect.stringMatching(new RegExp(`^${emulator.url}/`)),
      datafile_checksum: sha256Hex(whole),
      datafile_size: whole.length,
      short_datafile: expect.stringMatching(new RegExp(`^${emulator.url}/`)),
      created_at: expect.stringMatching(RFC3339_MICROS),
      updated_at: expect.stringMatching(RFC3339_MICROS),
      etag: image.updated_at,
    });
    for (const url of [image.datafile, image.short_datafile]) {
      const download = await send(emulator.url, 'GET', url);
      expect(download.status).toBe(200);
      expect(download.body.equals(whole)).toBe(true);
    }
    expect((await emulator.state.imageBytes(image.id)).equals(whole)).toBe(true);
    expect(emulator.state.imageFile(image.id)).toContain(image.id);

    // Deleting the finished job keeps the image.
    expect((await service.deleteJob(jobId)).status).toBe(204);
    expect((await service.getImage(image.id)).status).toBe(200);
    expect(emulator.violations()).toEqual([]);
  });

  it('leaves short_datafile out when told to', async () => {
    const plain = await startEmulator({ apiKey: API_KEY, shortDatafile: false });
    try {
      const image = await plain.state.seedFirmwareImage({ name: 'plain', data: Buffer.from('x') });
      expect(image.short_datafile).toBeUndefined();
      expect((await api(plain).getImage(image.id)).json.short_datafile).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it('discards a chunk whose Content-MD5 does not match the body, leaving the job unchanged', async () => {
    const job = (await service.createJob({ name: 'md5-mismatch' })).json;
    const good = randomData(2000);
    const res = await service.appendChunk(job.id, randomData(3000), md5Base64(good));
    expectError(res, 400, 'validation_error');
    expect(res.json.fields).toEqual([{ name: 'Content-MD5', message: expect.any(String) }]);
    expect(emulator.state.chunks(job.id)).toEqual([]);
    expect((await service.getJob(job.id)).json.status).toBe('not_started');
    expect(emulator.events.some((e) => e.type === 'chunk-rejected' && e.jobId === job.id)).toBe(true);

    expect((await service.appendChunk(job.id, good)).json.id).toBe(1);
    expect((await service.appendChunk(job.id, Buffer.alloc(0))).status).toBe(201);
    const imageId = (await service.getJob(job.id)).json.firmware_image_id;
    expect((await emulator.state.imageBytes(imageId)).equals(good)).toBe(true);
  });

  it('requires Content-MD5 as base64 of the raw digest (RFC 1864), not hex', async () => {
    const job = (await service.createJob({ name: 'md5-format' })).json;
    const data = Buffer.from('chunk');
    const missing = await service.call('POST', paths.chunks(job.id), {
      body: data,
      headers: { 'Content-Type': 'binary/octet-stream' },
    });
    expectError(missing, 400, 'validation_error');
    expect(missing.json.fields[0].name).toBe('Content-MD5');
    expectError(await service.appendChunk(job.id, data, md5Hex(data)), 400, 'validation_error');
    expectError(await service.appendChunk(job.id, Buffer.alloc(0), md5Base64(data)), 400, 'validation_error');
    expect(emulator.state.chunks(job.id)).toEqual([]);
  });

  it('requires Content-Length: a chunked body gets 411', async () => {
    const job = (await service.createJob({ name: 'chunked-body' })).json;
    const data = Buffer.from('streamed without a length');
    const res = await service.call('POST', paths.chunks(job.id), {
      body: data,
      chunked: true,
      headers: { 'Content-MD5': md5Base64(data) },
    });
    expectError(res, 411, 'length_required');
    expect(emulator.state.chunks(job.id)).toEqual([]);
  });

  it('refuses a chunk over 100 MiB with 413 from Content-Length, before reading the body', async () => {
    const job = (await service.createJob({ name: 'too-large' })).json;
    const req = request(new URL(paths.chunks(job.id), emulator.url), {
      method: 'POST',
      agent: false,
      headers: { ...AUTH, 'Content-Length': MAX_CHUNK_SIZE + 1, 'Content-MD5': EMPTY_MD5_BASE64 },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (piece) => (body += piece));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
    });
    req.flushHeaders(); // headers only: the answer must come without any body byte sent
    const { status, body } = await answer;
    req.destroy();
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ object: 'error', code: 413, type: 'payload_too_large' });
    expect(emulator.state.chunks(job.id)).toEqual([]);
  });

  it('refuses a zero-length first chunk with 400', async () => {
    const job = (await service.createJob({ name: 'empty-first' })).json;
    expectError(await service.appendChunk(job.id, Buffer.alloc(0)), 400, 'validation_error');
    expect((await service.getJob(job.id)).json).toMatchObject({
      status: 'not_started',
      firmware_image_id: '',
    });
    expect(emulator.state.firmwareImages().some((i) => i.name === 'empty-first')).toBe(false);
  });

  it('accepts small non-last chunks but fails the completion with 400 (the S3 rule, only at the end)', async () => {
    const job = (await service.createJob({ name: 'small-chunks' })).json;
    expect((await service.appendChunk(job.id, randomData(1024))).status).toBe(201);
    expect((await service.appendChunk(job.id, randomData(1024))).status).toBe(201);
    const completion = await service.appendChunk(job.id, Buffer.alloc(0));
    expectError(completion, 400, 'validation_error');
    expect(completion.json.message).toContain('Chunk 1');
    expect((await service.getJob(job.id)).json).toMatchObject({
      status: 'in_progress',
      completed: false,
      firmware_image_id: '',
    });
    expect(emulator.state.chunks(job.id)).toHaveLength(2);
    expect(emulator.state.firmwareImages().some((i) => i.name === 'small-chunks')).toBe(false);
  });

  it('applies a lowered minimum chunk size when a test asks for one (minChunkSizeForTests)', async () => {
    const small = await startEmulator({ apiKey: API_KEY, minChunkSizeForTests: 1024 });
    try {
      const smallApi = api(small);
      const passes = await smallApi.upload('small-but-allowed', [randomData(1024), randomData(10)]);
      expect(passes.status).toBe('completed');
      const job = (await smallApi.createJob({ name: 'still-too-small' })).json;
      await smallApi.appendChunk(job.id, randomData(1023));
      await smallApi.appendChunk(job.id, randomData(10));
      const refused = await smallApi.appendChunk(job.id, Buffer.alloc(0));
      expectError(refused, 400, 'validation_error');
      expect(refused.json.message).toContain('1024 bytes');
    } finally {
      await small.stop();
    }
  });

  it('refuses any chunk posted to a completed job with 400', async () => {
    const job = await service.upload('completed-already', [Buffer.from('only chunk')]);
    expectError(await service.appendChunk(job.id, Buffer.from('more')), 400, 'validation_error');
    expectError(await service.appendChunk(job.id, Buffer.alloc(0)), 400, 'validation_error');
    const image = await emulator.state.imageBytes(job.firmware_image_id);
    expect(image.toString()).toBe('only chunk');
  });

  it('answers 404 for a chunk id that does not exist', async () => {
    const job = await emulator.state.seedUploadJob({ name: 'chunk-404', chunks: [Buffer.from('x')] });
    expect((await service.getChunk(job.id, 1)).status).toBe(200);
    expectError(await service.getChunk(job.id, 2), 404, 'not_found');
    expectError(await service.call('GET', `${paths.chunks(job.id)}/first`), 404, 'not_found');
  });

  it('discards a chunk whose body breaks off, leaving the job unchanged', async () => {
    const job = (await service.createJob({ name: 'broken-body' })).json;
    const data = randomData(64 * 1024);
    const { req, response } = openChunkPost(emulator.url, job.id, data);
    response.catch(() => {}); // the socket is destroyed on purpose
    req.write(data.subarray(0, 1000));
    await until(() => emulator.events.some((e) => e.type === 'request' && e.jobId === job.id));
    req.destroy();
    await until(() => emulator.events.some((e) => e.type === 'chunk-rejected' && e.jobId === job.id));
    expect(emulator.state.chunks(job.id)).toEqual([]);

    const good = Buffer.from('the real chunk');
    expect((await service.appendChunk(job.id, good)).json.id).toBe(1);
    const done = await service.upload('broken-body-check', [good]);
    expect((await emulator.state.imageBytes(done.firmware_image_id)).equals(good)).toBe(true);
  });

  it('records a concurrent-append violation and stores visibly wrong bytes when two chunk POSTs overlap', async () => {
    const job = (await service.createJob({ name: 'parallel' })).json;
    const first = randomData(MIN_CHUNK_SIZE);
    const second = randomData(MIN_CHUNK_SIZE); // both >= 5 MiB, so the completion passes whatever order they land in
    const slow = openChunkPost(emulator.url, job.id, first);
    slow.req.write(first.subarray(0, first.length / 2));
    await until(() => emulator.events.some((e) => e.type === 'request' && e.jobId === job.id));

    expect((await service.appendChunk(job.id, second)).status).toBe(201);
    slow.req.end(first.subarray(first.length / 2));
    expect(await slow.response).toBe(201);

    expect(emulator.violations()).toEqual([
      expect.objectContaining({ type: 'concurrent-append', operation: 'append-chunk', jobId: job.id }),
    ]);
    expect((await service.appendChunk(job.id, Buffer.alloc(0))).status).toBe(201);
    const image = (await service.getImage((await service.getJob(job.id)).json.firmware_image_id)).json;
    const intended = Buffer.concat([first, second]);
    const stored = await emulator.state.imageBytes(image.id);
    expect(stored.equals(intended)).toBe(false);
    expect(image.datafile_checksum).not.toBe(sha256Hex(intended));
    // The record still tells the truth about what is stored.
    expect(image.datafile_checksum).toBe(sha256Hex(stored));
    expect(image.datafile_size).toBe(stored.length);
  });

  it('records a second-writer violation when two connected clients append to one job, even one after the other', async () => {
    const earlier = emulator.violations().length;
    const first = new Agent({ keepAlive: true, maxSockets: 1 });
    const second = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const a = api(emulator, undefined, first);
      const b = api(emulator, undefined, second);
      const job = (await a.createJob({ name: 'two-writers' })).json;
      expect((await a.appendChunk(job.id, randomData(100))).status).toBe(201);
      expect((await a.appendChunk(job.id, randomData(100))).status).toBe(201);
      expect(emulator.violations().slice(earlier)).toEqual([]); // one client, however many chunks
      expect((await b.appendChunk(job.id, randomData(100))).status).toBe(201);
      expect(emulator.violations().slice(earlier)).toEqual([
        expect.objectContaining({
          type: 'second-writer',
          operation: 'append-chunk',
          jobId: job.id,
          chunkId: 3,
        }),
      ]);
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  it('a client that reconnects after closing its connection stays one writer', async () => {
    const before = emulator.violations().length;
    const job = (await service.createJob({ name: 'reconnecting-writer' })).json;
    // `service` opens a fresh connection per request and closes it after the answer.
    for (let i = 0; i < 3; i++) expect((await service.appendChunk(job.id, randomData(100))).status).toBe(201);
    expect(emulator.violations().length).toBe(before);
  });

  it('seeds an in-progress job and a firmware image exactly as the API flow makes them', async () => {
    const pieces = [randomData(MIN_CHUNK_SIZE), Buffer.from('tail')];
    const seeded = await emulator.state.seedUploadJob({
      name: 'seeded-job',
      chunks: pieces,
      description: 'resume me',
    });
    expectSchema('uploadJob', seeded);
    expect(seeded).toMatchObject({ status: 'in_progress', description: 'resume me', completed: false });
    expect((await service.getJob(seeded.id)).json).toEqual(seeded);
    const listed = (await service.listChunks(seeded.id)).json.data;
    expect(listed.map((c: { length: number; hash: string }) => [c.length, c.hash])).toEqual(
      pieces.map((p) => [p.length, md5Hex(p)]),
    );
    expect((await service.appendChunk(seeded.id, Buffer.alloc(0))).status).toBe(201);
    const imageId = (await service.getJob(seeded.id)).json.firmware_image_id;
    expect((await emulator.state.imageBytes(imageId)).equals(Buffer.concat(pieces))).toBe(true);

    const empty = await emulator.state.seedUploadJob({ name: 'seeded-empty' });
    expect(empty.status).toBe('not_started');

    const data = Buffer.from('seeded image bytes');
    const image = await emulator.state.seedFirmwareImage({ name: 'seeded-image', data });
    expectSchema('firmwareImage', image);
    expect(image).toMatchObject({
      name: 'seeded-image',
      datafile_size: data.length,
      datafile_checksum: sha256Hex(data),
    });
    expect((await service.getImage(image.id)).json).toEqual(image);
    expect(emulator.state.uploadJobs().some((j) => j.name === 'seeded-image')).toBe(false);
    await expect(emulator.state.seedUploadJob({ name: 'seeded-image' })).rejects.toThrow(/already used/);
  });
});
