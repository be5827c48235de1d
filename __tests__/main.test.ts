// run() end to end against the emulator over real HTTP; only @actions/core is replaced (by a recorder).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../src/emulator/index.js';
import { MiB } from '../src/common/bytes.js';

const API_KEY = 'ak_main_test_5ecret_do_not_log';

/** Every call the action made on @actions/core, in order. */
const calls: { method: string; args: unknown[] }[] = [];
let inputs: Record<string, string> = {};

function recorder(method: string, impl: (...args: never[]) => unknown = () => undefined) {
  return jest.fn((...args: unknown[]) => {
    calls.push({ method, args });
    return (impl as (...a: unknown[]) => unknown)(...args);
  });
}

const summary = {
  addRaw: recorder('summary.addRaw', () => summary),
  write: recorder('summary.write', async () => summary),
};

jest.unstable_mockModule('@actions/core', () => ({
  getInput: recorder('getInput', (name: string) => inputs[name] ?? ''),
  setSecret: recorder('setSecret'),
  setOutput: recorder('setOutput'),
  setFailed: recorder('setFailed'),
  debug: recorder('debug'),
  info: recorder('info'),
  warning: recorder('warning'),
  error: recorder('error'),
  notice: recorder('notice'),
  startGroup: recorder('startGroup'),
  endGroup: recorder('endGroup'),
  group: recorder('group', async (_title: string, fn: () => Promise<unknown>) => fn()),
  isDebug: recorder('isDebug', () => false),
  summary,
}));

const { run } = await import('../src/main.js');

const LOG_METHODS = new Set(['debug', 'info', 'warning', 'error', 'notice', 'startGroup', 'setFailed']);

function logged(): string[] {
  return calls.filter((c) => LOG_METHODS.has(c.method)).map((c) => String(c.args[0]));
}

function outputs(): Record<string, string> {
  return Object.fromEntries(calls.filter((c) => c.method === 'setOutput').map((c) => [c.args[0], c.args[1]]));
}

function failures(): string[] {
  return calls.filter((c) => c.method === 'setFailed').map((c) => String(c.args[0]));
}

function summaryMarkdown(): string {
  return calls
    .filter((c) => c.method === 'summary.addRaw')
    .map((c) => String(c.args[0]))
    .join('');
}

/** Nothing the action logged, failed with, put out or summarised carries the key. */
function expectKeyNowhere(key: string) {
  const everything = calls
    .filter((c) => c.method !== 'setSecret' && c.method !== 'getInput')
    .flatMap((c) => c.args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? ''))));
  for (const text of everything) expect(text).not.toContain(key);
}

/** A loopback proxy to the emulator that rewrites firmware-image answers: a service that stored other bytes. */
async function startTamperingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (up) => {
        const body: Buffer[] = [];
        up.on('data', (b: Buffer) => body.push(b));
        up.on('end', () => {
          let text = Buffer.concat(body).toString('utf8');
          // The image as read by id, or as listed by name (how the uploader finds it after completion).
          const path = (req.url ?? '').split('?')[0]!;
          if (req.method === 'GET' && /^\/v3\/firmware-images\/[0-9a-f]{32}$/.test(path)) {
            const image = JSON.parse(text) as { datafile_checksum: string };
            image.datafile_checksum = '0'.repeat(64);
            text = JSON.stringify(image);
          } else if (req.method === 'GET' && path === '/v3/firmware-images') {
            const page = JSON.parse(text) as { data: { datafile_checksum: string }[] };
            for (const image of page.data) image.datafile_checksum = '0'.repeat(64);
            text = JSON.stringify(page);
          }
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(text)) };
          res.writeHead(up.statusCode ?? 502, headers).end(text);
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let emulator: Emulator;
let workDir: string;
let imagePath: string;
let image: Buffer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await startEmulator({ apiKey: API_KEY, port: 0 });
  workDir = await mkdtemp(join(tmpdir(), 'main-test-'));
  image = randomBytes(5 * MiB + 1234); // two chunks at the 5 MiB minimum
  imagePath = join(workDir, 'firmware.bin');
  await writeFile(imagePath, image);
});

afterAll(async () => {
  await emulator.stop();
  await rm(workDir, { recursive: true, force: true });
});

let nameCounter = 0;
beforeEach(() => {
  calls.length = 0;
  nameCounter++;
  inputs = {
    'api-key': API_KEY,
    'api-host': emulator.url,
    'image-path': imagePath,
    name: `fw-main-${nameCounter}`,
    'chunk-size': '5MiB',
  };
  process.env.GITHUB_STEP_SUMMARY = join(workDir, 'summary.md');
});

afterEach(() => {
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});

describe('run()', () => {
  it('publishes the image, sets every output, writes the summary, and masks the key first', async () => {
    await run();

    expect(failures()).toEqual([]);
    const out = outputs();
    expect(out).toMatchObject({
      name: 'fw-main-1',
      outcome: 'uploaded',
      datafile_size: String(image.length),
    });
    const stored = emulator.state.firmwareImages().find((i) => i.name === 'fw-main-1');
    expect(stored).toBeDefined();
    expect(out.firmware_image_id).toBe(stored?.id);
    expect(out.datafile_url).toBe(stored?.datafile);
    expect(out.short_datafile_url).toBe(stored?.short_datafile);
    expect(out.datafile_checksum).toBe(stored?.datafile_checksum);
    expect(out.upload_job_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await emulator.state.imageBytes(stored!.id)).equals(image)).toBe(true);

    const firstLog = calls.findIndex((c) => LOG_METHODS.has(c.method));
    const maskedAt = calls.findIndex((c) => c.method === 'setSecret');
    expect(maskedAt).toBeGreaterThanOrEqual(0);
    expect(calls[maskedAt]?.args[0]).toBe(API_KEY);
    expect(maskedAt).toBeLessThan(firstLog);
    expectKeyNowhere(API_KEY);

    expect(summaryMarkdown()).toContain('## ✅ Firmware image uploaded');
    expect(summaryMarkdown()).toContain(stored!.id);
    expect(calls.filter((c) => c.method === 'summary.write')).toHaveLength(1);
    const groups = calls.filter((c) => c.method === 'startGroup').map((c) => c.args[0]);
    expect(groups).toEqual(['Check the name', 'Upload', 'Complete and verify']);
    expect(calls.filter((c) => c.method === 'endGroup')).toHaveLength(groups.length);
    expect(logged().some((line) => /^uploaded 100% \(5 MiB of 5 MiB\)/.test(line))).toBe(true);
  });

  it('reuses the identical image on a second run with the same inputs', async () => {
    inputs.name = 'fw-main-rerun';
    await run();
    expect(outputs().outcome).toBe('uploaded');
    calls.length = 0;
    await run();
    expect(failures()).toEqual([]);
    expect(outputs()).toMatchObject({ outcome: 'reused', name: 'fw-main-rerun' });
    expect(outputs()).not.toHaveProperty('upload_job_id');
    expect(emulator.state.firmwareImages().filter((i) => i.name === 'fw-main-rerun')).toHaveLength(1);
  });

  it('derives a default name when none is given, from the file name and the tag', async () => {
    delete inputs.name;
    process.env.GITHUB_REF = 'refs/tags/v9.8.7';
    process.env.GITHUB_REPOSITORY = 'acme/widget';
    // Each run reads the runner's context afresh (src/github-context.ts).
    await run();
    expect(failures()).toEqual([]);
    expect(outputs().name).toBe('firmware.bin@v9.8.7');
  });

  it('falls back to MBED_CLOUD_SDK_API_KEY, and a dry run changes nothing and publishes no ids', async () => {
    inputs['api-key'] = '';
    inputs['dry-run'] = 'true';
    process.env.MBED_CLOUD_SDK_API_KEY = API_KEY;
    const before = JSON.stringify([emulator.state.uploadJobs(), emulator.state.firmwareImages()]);

    await run();

    expect(failures()).toEqual([]);
    expect(calls.find((c) => c.method === 'setSecret')?.args[0]).toBe(API_KEY);
    expect(outputs()).toEqual({
      name: 'fw-main-4',
      outcome: 'dry-run',
      datafile_checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      datafile_size: String(image.length),
    });
    expect(JSON.stringify([emulator.state.uploadJobs(), emulator.state.firmwareImages()])).toBe(before);
    expect(summaryMarkdown()).toContain('Dry run');
    expectKeyNowhere(API_KEY);
  });

  it('fails a bad input with one line naming the input, and no stack trace', async () => {
    inputs['chunk-size'] = '3MiB';
    await run();
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toContain('`chunk-size`');
    expect(failures()[0]).toContain('5MiB');
    expect(failures()[0]).not.toMatch(/\n\s+at /);
    expect(outputs()).toEqual({});
    expect(calls[0]?.method).toBe('getInput');
    expect(calls.findIndex((c) => c.method === 'setSecret')).toBeLessThan(
      calls.findIndex((c) => c.method === 'setFailed'),
    );
  });

  it('fails a wrong key with the hint about api-key, and never shows that key', async () => {
    const wrongKey = 'ak_wrong_key_that_must_not_leak';
    inputs['api-key'] = wrongKey;
    await run();
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toMatch(/401/);
    expect(failures()[0]).toContain('`api-key`');
    expect(outputs()).toEqual({});
    expectKeyNowhere(wrongKey);
    expect(summaryMarkdown()).toContain('Firmware publish failed');
  });

  it('sets no id outputs when the stored image does not match the file', async () => {
    const proxy = await startTamperingProxy(emulator.url);
    try {
      inputs['api-host'] = proxy.url;
      await run();
    } finally {
      await proxy.close();
    }
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toMatch(/verification FAILED/);
    expect(outputs()).not.toHaveProperty('firmware_image_id');
    expect(outputs()).not.toHaveProperty('datafile_url');
  });

  it('skips the summary with a debug line when GITHUB_STEP_SUMMARY is unset', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    inputs['dry-run'] = 'true';
    await run();
    expect(failures()).toEqual([]);
    expect(calls.filter((c) => c.method === 'summary.write')).toHaveLength(0);
    expect(logged()).toContain('GITHUB_STEP_SUMMARY is not set: no job summary written');
  });
});
