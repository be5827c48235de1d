// The client against a hostile service: the emulator's huge-body, endless-body, endless-paging and mangle
// faults over real HTTP on loopback. Every case ends in one clear ServiceError naming the operation (and
// the field), quickly, with nothing read past the caps. Peak memory is asserted in hostile-memory.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from 'undici';
import { UpdateServiceClient } from '../../src/client/client.js';
import { MAX_PAGES } from '../../src/client/client.js';
import { ServiceError } from '../../src/client/errors.js';
import { MAX_RESPONSE_BYTES } from '../../src/client/transport.js';
import { startEmulator, type Emulator, type FaultRule } from '../../src/emulator/index.js';
import { isRetryable } from '../../src/uploader/retry.js';

const API_KEY = 'ak_hostile_test_5ecret';
let emulator: Emulator;
let dispatcher: Agent;
let client: UpdateServiceClient;

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: API_KEY });
  dispatcher = new Agent({ connections: 1 });
  client = new UpdateServiceClient({
    baseUrl: new URL(emulator.url),
    apiKey: API_KEY,
    dispatcher,
    userAgent: 'hostile-test',
    requestTimeoutMs: 10_000,
  });
});
afterEach(() => emulator.faults.clear());
afterAll(async () => {
  await dispatcher.destroy();
  await emulator.stop();
});

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

const fault = (rule: FaultRule) => emulator.faults.add(rule);

describe('bodies past the caps', () => {
  it('a 2xx body larger than the cap (declared length): "response too large", retryable, may have taken effect', async () => {
    fault({ operation: 'list-jobs', fault: { type: 'huge-body', bytes: MAX_RESPONSE_BYTES + 1 } });
    const error = await failure(client.listUploadJobs());
    expect(error.message).toMatch(/^list upload jobs failed: response too large from list upload jobs/);
    expect(isRetryable(error)).toBe(true);
    expect(error.maybeReceived).toBe(true);
  });

  it('a 200 whose body never ends stops at the cap, though its bytes keep moving (the stall timer never fires)', async () => {
    const job = await client.createUploadJob({ name: 'endless-body' });
    fault({ operation: 'get-job', fault: { type: 'endless-body' } });
    const error = await failure(client.getUploadJob(job.id));
    expect(error.message).toMatch(/response too large from get upload job/);
    expect(error.kind).toBe('network');
    // The connection was destroyed, not drained: the next request works on a fresh one.
    emulator.faults.clear();
    expect((await client.getUploadJob(job.id)).id).toBe(job.id);
  });

  it('a 600 MiB gateway error page: read up to a small limit, then dropped; the error keeps its status', async () => {
    fault({ operation: 'list-images', fault: { type: 'huge-body', bytes: 600 * 1024 * 1024, status: 502 } });
    const error = await failure(client.listFirmwareImages());
    expect(error).toMatchObject({ kind: 'http', status: 502 });
    expect(error.message).toMatch(/502 Bad Gateway \(non-JSON body of over \d+ bytes, not read further\)/);
    expect(isRetryable(error)).toBe(true);
  });

  it('an endless error body is cut off the same way', async () => {
    fault({ operation: 'list-images', fault: { type: 'endless-body', status: 503 } });
    const error = await failure(client.listFirmwareImages());
    expect(error).toMatchObject({ kind: 'http', status: 503 });
  });
});

describe('paging without end', () => {
  it.each([
    ['upload jobs', 'list-jobs' as const, () => client.allUploadJobs()],
    ['firmware images', 'list-images' as const, () => client.allFirmwareImages()],
  ])(
    'has_more forever with fresh cursors (%s): stops after MAX_PAGES pages',
    async (_label, operation, all) => {
      fault({ operation, fault: { type: 'endless-paging' } });
      const before = emulator.callCount(operation);
      const error = await failure(all());
      expect(error.kind).toBe('protocol');
      expect(error.message).toMatch(new RegExp(`more than ${MAX_PAGES} pages \\(has_more without end\\)`));
      expect(emulator.callCount(operation) - before).toBe(MAX_PAGES);
    },
  );

  it('the same page and cursor every time (chunks): stops at the repeated cursor', async () => {
    const job = await client.createUploadJob({ name: 'endless-paging-chunks' });
    fault({ operation: 'list-chunks', fault: { type: 'endless-paging', repeat: true } });
    const before = emulator.callCount('list-chunks');
    const error = await failure(client.allChunks(job.id));
    expect(error.message).toMatch(/list chunks of upload job \w+ failed: .*repeated the page after/);
    expect(emulator.callCount('list-chunks') - before).toBe(2);
  });
});

describe('answers with missing or wrongly typed fields: one protocol error naming the operation and the field', () => {
  it('a created job without `id`', async () => {
    fault({ operation: 'create-job', fault: { type: 'mangle', drop: ['id'] } });
    const error = await failure(client.createUploadJob({ name: 'mangled-create' }));
    expect(error.kind).toBe('protocol');
    expect(error.message).toBe(
      'create upload job "mangled-create" failed: unexpected response: upload job field `id` is missing; expected a non-empty string',
    );
    // It took effect (a 2xx), so a retry would have to reconcile first.
    expect(error.maybeReceived).toBe(true);
    expect(error.hint).toMatch(/api-host/);
  });

  it('an image whose `datafile_size` is a string, or whose `datafile` is missing', async () => {
    const image = await emulator.state.seedFirmwareImage({ name: 'mangled-image', data: Buffer.from('fw') });
    fault({
      operation: 'get-image',
      nth: emulator.callCount('get-image') + 1,
      fault: { type: 'mangle', set: { datafile_size: '2' } },
    });
    expect((await failure(client.getFirmwareImage(image.id))).message).toMatch(
      /get firmware image \w+ failed: unexpected response: firmware image field `datafile_size` is a string \("2"\); expected a whole number/,
    );
    fault({ operation: 'get-image', fault: { type: 'mangle', drop: ['datafile'] } });
    expect((await failure(client.getFirmwareImage(image.id))).message).toMatch(/field `datafile` is missing/);
  });

  it('a job whose `updated_at` is no time (the one-writer rule reads it), or whose image has a wrongly typed encryption field', async () => {
    const job = await client.createUploadJob({ name: 'mangled-time' });
    fault({
      operation: 'get-job',
      nth: emulator.callCount('get-job') + 1,
      fault: { type: 'mangle', set: { updated_at: 'soon' } },
    });
    expect((await failure(client.getUploadJob(job.id))).message).toMatch(
      /get upload job \w+ failed: unexpected response: upload job field `updated_at` is a string \("soon"\); expected a timestamp/,
    );
    const image = await emulator.state.seedFirmwareImage({
      name: 'mangled-encryption',
      data: Buffer.from('fw'),
    });
    fault({
      operation: 'get-image',
      nth: emulator.callCount('get-image') + 1,
      fault: { type: 'mangle', set: { encrypted_datafile_size: '9' } },
    });
    expect((await failure(client.getFirmwareImage(image.id))).message).toMatch(
      /firmware image field `encrypted_datafile_size` is a string \("9"\); expected a whole number/,
    );
  });

  it('a list entry without its id names the entry', async () => {
    await client.createUploadJob({ name: 'mangled-list' });
    fault({ operation: 'list-jobs', fault: { type: 'mangle', drop: ['id'] } });
    expect((await failure(client.listUploadJobs())).message).toMatch(
      /list upload jobs failed: unexpected response: upload job \(list item 1\) field `id` is missing/,
    );
  });

  it('a chunk answer whose `length` is not a number', async () => {
    const job = await client.createUploadJob({ name: 'mangled-chunk' });
    fault({ operation: 'append-chunk', fault: { type: 'mangle', set: { length: null } } });
    const error = await failure(
      client.appendChunk(job.id, Buffer.from('abc'), 'kAFQmDzST7DWlj99KOF/cg==', 'append chunk 1 of 1'),
    );
    expect(error.message).toMatch(/append chunk 1 of 1 failed: .*upload chunk field `length` is null/);
  });
});

describe('the emulator refuses malformed hostile rules', () => {
  it.each([
    [{ type: 'huge-body', bytes: -1 }, /fault.bytes/],
    [{ type: 'huge-body', bytes: 10, status: 99 }, /fault.status/],
    [{ type: 'endless-paging' }, /list operations|list-jobs/],
    [{ type: 'mangle', drop: 'id' }, /fault.drop/],
  ])('%j', (bad, message) => {
    expect(() => emulator.faults.add({ operation: 'get-job', fault: bad as never })).toThrow(message);
  });
});
