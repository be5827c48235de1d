import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { paths } from '../../src/api/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { API_KEY, api, expectError, randomData, send, serviceForSuite, sha256Hex } from './helpers.js';

describe('emulator: fault injection', () => {
  const { emulator, service } = serviceForSuite();
  afterEach(() => emulator.faults.clear());

  const next = (op: Parameters<Emulator['callCount']>[0]) => emulator.callCount(op) + 1;

  it('status: answers the status (with Retry-After) before the request has any effect', async () => {
    emulator.faults.add({
      operation: 'create-job',
      nth: next('create-job'),
      fault: { type: 'status', status: 503, retryAfter: '7' },
    });
    const before = emulator.callCount('create-job');
    const refused = await service.createJob({ name: 'fault-status' });
    expectError(refused, 503, 'service_unavailable');
    expect(refused.headers['retry-after']).toBe('7');
    expect(emulator.state.uploadJobs().some((j) => j.name === 'fault-status')).toBe(false);
    expect(emulator.events.some((e) => e.type === 'fault-injected' && e.operation === 'create-job')).toBe(
      true,
    );
    // Only that call: the next one goes through.
    expect((await service.createJob({ name: 'fault-status' })).status).toBe(201);
    expect(emulator.callCount('create-job')).toBe(before + 2);
  });

  it('status: a gateway-style HTML body, or a custom message', async () => {
    const job = (await service.createJob({ name: 'fault-html' })).json;
    emulator.faults.add({ operation: 'append-chunk', fault: { type: 'status', status: 502, html: true } });
    const gateway = await service.appendChunk(job.id, Buffer.from('data'));
    expect(gateway.status).toBe(502);
    expect(gateway.headers['content-type']).toBe('text/html');
    expect(gateway.body.toString()).toContain('502');
    expect(emulator.state.chunks(job.id)).toEqual([]);

    emulator.faults.load([
      { operation: 'get-job', fault: { type: 'status', status: 429, message: 'slow down' } },
    ]);
    const limited = await service.getJob(job.id);
    expectError(limited, 429, 'too_many_requests');
    expect(limited.json.message).toBe('slow down');
  });

  it('status with echoHeaders: the message repeats the request headers, as a careless gateway does', async () => {
    emulator.faults.add({
      operation: 'list-images',
      fault: { type: 'status', status: 502, echoHeaders: true },
    });
    const res = await service.listImages();
    expectError(res, 502, 'bad_gateway');
    expect(res.json.message).toContain(`Bearer ${API_KEY}`);
  });

  it("records each request's peer address", async () => {
    await service.listJobs('?limit=2');
    const request = emulator.events.filter((e) => e.type === 'request').at(-1);
    expect(request).toMatchObject({ operation: 'list-jobs', remoteAddress: '127.0.0.1' });
  });

  it('nth: a list of call numbers, counted per operation; no nth means every call', async () => {
    const job = (await service.createJob({ name: 'fault-nth' })).json;
    const base = emulator.callCount('get-job');
    emulator.faults.add({
      operation: 'get-job',
      nth: [base + 2, base + 3],
      fault: { type: 'status', status: 500 },
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await service.getJob(job.id)).status);
    expect(statuses).toEqual([200, 500, 500, 200]);
    expect(emulator.callCount('get-job')).toBe(base + 4);

    emulator.faults.add({ operation: 'list-jobs', fault: { type: 'status', status: 504 } });
    expect((await service.listJobs()).status).toBe(504);
    expect((await service.listJobs()).status).toBe(504);
    emulator.faults.clear();
    expect((await service.listJobs()).status).toBe(200);
  });

  it('reset-before: the connection is destroyed and the chunk is not stored', async () => {
    const job = (await service.createJob({ name: 'fault-reset-before' })).json;
    emulator.faults.add({
      operation: 'append-chunk',
      nth: next('append-chunk'),
      fault: { type: 'reset-before' },
    });
    await expect(service.appendChunk(job.id, randomData(64 * 1024))).rejects.toThrow();
    expect(emulator.state.chunks(job.id)).toEqual([]);
    expect((await service.appendChunk(job.id, Buffer.from('again'))).json.id).toBe(1);
  });

  it('reset-after: the chunk is stored, then the answer is lost', async () => {
    const job = (await service.createJob({ name: 'fault-reset-after' })).json;
    emulator.faults.add({
      operation: 'append-chunk',
      nth: next('append-chunk'),
      fault: { type: 'reset-after' },
    });
    const data = randomData(64 * 1024);
    await expect(service.appendChunk(job.id, data)).rejects.toThrow();
    expect(emulator.state.chunks(job.id)).toEqual([expect.objectContaining({ id: 1, length: data.length })]);

    emulator.faults.add({ operation: 'create-job', nth: next('create-job'), fault: { type: 'reset-after' } });
    await expect(service.createJob({ name: 'created-unanswered' })).rejects.toThrow();
    expect(emulator.state.uploadJobs().some((j) => j.name === 'created-unanswered')).toBe(true);
  });

  it('status-after: the request takes effect, then an error status is answered', async () => {
    const job = (await service.createJob({ name: 'fault-status-after' })).json;
    await service.appendChunk(job.id, Buffer.from('data'));
    emulator.faults.add({
      operation: 'complete-job',
      nth: next('complete-job'),
      fault: { type: 'status-after', status: 500 },
    });
    expectError(await service.appendChunk(job.id, Buffer.alloc(0)), 500, 'internal_server_error');
    expect((await service.getJob(job.id)).json.status).toBe('completed');
  });

  it('delay: answers normally after the delay', async () => {
    const job = (await service.createJob({ name: 'fault-delay' })).json;
    emulator.faults.add({ operation: 'get-job', fault: { type: 'delay', ms: 30 } });
    const res = await service.getJob(job.id);
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(job.id);
    expect(emulator.events.filter((e) => e.type === 'fault-injected').at(-1)?.detail).toContain('delay');
  });

  it('faults apply to the download too', async () => {
    const image = await emulator.state.seedFirmwareImage({
      name: 'fault-download',
      data: Buffer.from('bytes'),
    });
    emulator.faults.add({
      operation: 'download',
      nth: next('download'),
      fault: { type: 'status', status: 503 },
    });
    expect((await send(emulator.url, 'GET', image.datafile)).status).toBe(503);
    expect((await send(emulator.url, 'GET', image.datafile)).body.toString()).toBe('bytes');
  });

  it('foreign-writer: another client appends to the job first; the request is then handled as usual', async () => {
    const job = (await service.createJob({ name: 'fault-foreign' })).json;
    const ours = randomData(300);
    expect((await service.appendChunk(job.id, ours)).status).toBe(201);
    emulator.faults.add({
      operation: 'append-chunk',
      nth: next('append-chunk'),
      fault: { type: 'foreign-writer', bytes: 123 },
    });
    const second = await service.appendChunk(job.id, ours);
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({ id: 3, length: 300 }); // the foreign chunk took id 2
    expect(emulator.state.chunks(job.id).map((c) => c.length)).toEqual([300, 123, 300]);
    expect(emulator.violations()).toContainEqual(
      expect.objectContaining({ type: 'second-writer', jobId: job.id }),
    );
    // On a job that is gone, nothing happens and the request gets its own answer.
    emulator.faults.add({ operation: 'get-job', fault: { type: 'foreign-writer' } });
    expectError(await service.getJob('0'.repeat(32)), 404, 'not_found');
  });

  it('refuses malformed rules with a message naming the problem', () => {
    expect(() => emulator.faults.add({ operation: 'fly', fault: { type: 'hang' } } as never)).toThrow(
      /operation must be one of/,
    );
    expect(() => emulator.faults.add({ operation: 'get-job', nth: 0, fault: { type: 'hang' } })).toThrow(
      /nth/,
    );
    expect(() => emulator.faults.add({ operation: 'get-job', fault: { type: 'melt' } } as never)).toThrow(
      /fault.type/,
    );
    expect(() =>
      emulator.faults.add({ operation: 'get-job', fault: { type: 'status', status: 99 } }),
    ).toThrow(/status/);
    expect(() => emulator.faults.add({ operation: 'list-jobs', fault: { type: 'foreign-writer' } })).toThrow(
      /foreign-writer needs an operation on a job/,
    );
    expect(() =>
      emulator.faults.add({ operation: 'append-chunk', fault: { type: 'foreign-writer', bytes: 0 } }),
    ).toThrow(/fault.bytes/);
  });
});

describe('emulator: hang, shaping and TLS', () => {
  it('hang: never answers, and stop() ends the hung request', async () => {
    const emulator = await startEmulator({
      apiKey: API_KEY,
      faults: [{ operation: 'list-jobs', fault: { type: 'hang' } }],
    });
    const pending = api(emulator).listJobs();
    pending.catch(() => {});
    while (emulator.callCount('list-jobs') === 0) await sleep(5);
    await emulator.stop();
    await expect(pending).rejects.toThrow();
  });

  it('still works with latency and a bandwidth cap (set at start and changed later)', async () => {
    const emulator = await startEmulator({
      apiKey: API_KEY,
      shaping: { latencyMs: 5, bandwidthBytesPerSec: 4 * 1024 * 1024 },
    });
    try {
      const service = api(emulator);
      const data = randomData(300 * 1024);
      const job = await service.upload('shaped', [data]);
      const image = (await service.getImage(job.firmware_image_id)).json;
      expect(image.datafile_checksum).toBe(sha256Hex(data));
      emulator.setShaping({ bandwidthBytesPerSec: 8 * 1024 * 1024 });
      expect((await send(emulator.url, 'GET', image.datafile)).body.equals(data)).toBe(true);
      emulator.setShaping(undefined);
      expect((await service.getJob(job.id)).status).toBe(200);
    } finally {
      await emulator.stop();
    }
  });

  it('serves HTTPS when given a key and certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      const emulator = await startEmulator({
        apiKey: API_KEY,
        tls: { key: readFileSync(join(dir, 'key.pem')), cert },
      });
      try {
        expect(emulator.url).toBe(`https://127.0.0.1:${emulator.port}`);
        const service = api(emulator, cert);
        const job = await service.upload('over-tls', [Buffer.from('secure bytes')]);
        const image = (await service.getImage(job.firmware_image_id)).json;
        expect(image.datafile.startsWith('https://127.0.0.1:')).toBe(true);
        expect((await send(emulator.url, 'GET', image.datafile, { ca: cert })).body.toString()).toBe(
          'secure bytes',
        );
        // Plain HTTP to the TLS port gets nowhere.
        await expect(send(`http://127.0.0.1:${emulator.port}`, 'GET', paths.uploadJobs)).rejects.toThrow();
      } finally {
        await emulator.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
