// Workflow-command injection through the action's inputs and through what the service says: run() with
// the real @actions/core against the emulator, stdout captured as the runner reads it. No line may start
// a command we did not mean to write (src/common/neutralise.ts is the one gate).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  answerCreateWithPayload,
  expectNoInjectedCommand,
  PAYLOAD,
  payloadFileSuite,
  PWNED,
} from '../support/workflow-commands.js';

const API_KEY = 'ak_injection_test_5ecret_0123456789';
const { run } = await import('../../src/main.js');

// A file name may hold a newline: the path is logged, so it carries the payload too.
const { emulator, workspace } = payloadFileSuite(API_KEY, 5 * 1024 * 1024 + 77, 9);
const savedEnv = { ...process.env };

let stdout = '';
const realWrite = process.stdout.write.bind(process.stdout);
let runs = 0;
beforeEach(async () => {
  stdout = '';
  runs++;
  const runnerFile = (name: string) => join(workspace.dir, `${name}-${runs}`);
  await writeFile(runnerFile('output'), '');
  await writeFile(runnerFile('summary'), '');
  process.env = {
    ...savedEnv,
    GITHUB_OUTPUT: runnerFile('output'),
    GITHUB_STEP_SUMMARY: runnerFile('summary'),
    RUNNER_DEBUG: '1',
  };
  setInputs({});
  emulator.faults.clear();
});
afterEach(() => {
  process.stdout.write = realWrite;
  process.env = { ...savedEnv };
  process.exitCode = undefined;
});

function setInputs(overrides: Record<string, string>) {
  const inputs: Record<string, string> = {
    'api-key': API_KEY,
    'api-host': emulator.url,
    'image-path': workspace.imagePath,
    'chunk-size': '5MiB',
    retries: '1',
    ...overrides,
  };
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

/** run() with stdout captured (what the runner would parse), then restored. */
async function runCaptured(): Promise<string> {
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = realWrite;
  }
  return stdout;
}

describe('injection through the inputs', () => {
  it('a file name (and so the logged path and default name) holding the payload: published, nothing injected', async () => {
    const out = await runCaptured();
    expectNoInjectedCommand(out);
    expect(process.exitCode).toBeUndefined();
    // The payload did reach the log, neutralised: shown, not obeyed.
    expect(out).toContain(`x\\n::error title=${PWNED}::lf`);
    const summary = await readFile(process.env.GITHUB_STEP_SUMMARY!, 'utf8');
    // eslint-disable-next-line no-control-regex -- raw control characters are what must not be there
    expect(summary).not.toMatch(/[\u001b\u202e]/);
    expect(summary).not.toMatch(/\n::/);
  });

  it.each([
    // Relative: the table is built before the workspace exists.
    ['image-path', { 'image-path': `missing${PAYLOAD}` }],
    ['api-host', { 'api-host': `https://api.example${PAYLOAD}` }],
    ['chunk-size', { 'chunk-size': `5MiB${PAYLOAD}` }],
    ['on-conflict', { 'on-conflict': `reuse${PAYLOAD}` }],
    ['retries', { retries: `1${PAYLOAD}` }],
    ['request-timeout', { 'request-timeout': `60${PAYLOAD}` }],
    ['dry-run', { 'dry-run': `true${PAYLOAD}` }],
  ])(
    '%s holding the payload: one clear error naming the input, nothing injected',
    async (input, overrides) => {
      if (input === 'image-path') overrides = { 'image-path': join(workspace.dir, `missing${PAYLOAD}`) };
      setInputs(overrides);
      const out = await runCaptured();
      expectNoInjectedCommand(out);
      expect(process.exitCode).toBe(1);
      const errors = out.split('\n').filter((line) => line.startsWith('::error::'));
      expect(errors).toEqual([expect.stringContaining(`Input \`${input}\``)]);
    },
  );

  it('name and description holding the payload: the name is refused naming `name`; nothing injected', async () => {
    setInputs({ name: `fw${PAYLOAD}`, description: PAYLOAD });
    const out = await runCaptured();
    expectNoInjectedCommand(out);
    expect(out).toMatch(/^::error::Input `name`: holds U\+000A at character 4, a control character/m);
  });

  it('a description with newlines is accepted (it is never logged raw) and published as given', async () => {
    setInputs({ name: 'fw-described', description: `line one\n::error::${PWNED}` });
    const out = await runCaptured();
    expectNoInjectedCommand(out);
    expect(process.exitCode).toBeUndefined();
    expect(emulator.state.firmwareImages().find((i) => i.name === 'fw-described')?.description).toBe(
      `line one\n::error::${PWNED}`,
    );
  });
});

describe('injection through what the service says', () => {
  it('error messages (a retried 503, then a failing 400) holding the payload', async () => {
    setInputs({ name: 'fw-service-errors' });
    answerCreateWithPayload(emulator, { type: 'status', status: 400, message: PAYLOAD });
    const out = await runCaptured();
    expectNoInjectedCommand(out);
    expect(process.exitCode).toBe(1);
    expect(out).toMatch(/retrying create upload job/);
  });

  it('an upload job id and a firmware image id holding the payload', async () => {
    setInputs({ name: 'fw-service-ids' });
    emulator.faults.load([
      { operation: 'create-job', fault: { type: 'mangle', set: { id: `job${PAYLOAD}` } } },
    ]);
    const out = await runCaptured();
    expectNoInjectedCommand(out);
    expect(process.exitCode).toBe(1);

    setInputs({ name: 'fw-service-image-id' });
    emulator.faults.load([
      // The completed job's image, found by its name.
      { operation: 'list-images', fault: { type: 'mangle', set: { id: `img${PAYLOAD}` } } },
    ]);
    stdout = '';
    process.exitCode = undefined;
    expectNoInjectedCommand(await runCaptured());
  });

  it('an image name from the service (a reused image) holding the payload', async () => {
    setInputs({ name: 'fw-service-name' });
    await emulator.state.seedFirmwareImage({ name: 'fw-service-name', data: workspace.image });
    emulator.faults.load([
      { operation: 'list-images', fault: { type: 'mangle', set: { name: `fw${PAYLOAD}` } } },
    ]);
    expectNoInjectedCommand(await runCaptured());
  });
});

describe('rough edges the validation closes', () => {
  it('an image answer without `datafile`: one clear error, exit 1, and no datafile_url output', async () => {
    setInputs({ name: 'fw-no-datafile' });
    // The completed job's image, found by its name.
    emulator.faults.load([{ operation: 'list-images', fault: { type: 'mangle', drop: ['datafile'] } }]);
    const out = await runCaptured();
    expect(process.exitCode).toBe(1);
    expect(out).toMatch(
      /^::error::list firmware images failed: unexpected response: firmware image \(list item 1\) field `datafile` is missing/m,
    );
    expect(await readFile(process.env.GITHUB_OUTPUT!, 'utf8')).not.toContain('datafile_url');
  });

  it('a job answer with `id` missing, or an image with `datafile_size` as a string: one clear error each', async () => {
    setInputs({ name: 'fw-no-id' });
    emulator.faults.load([{ operation: 'create-job', fault: { type: 'mangle', drop: ['id'] } }]);
    let out = await runCaptured();
    expect(out.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(
        /create upload job "fw-no-id" failed: unexpected response: upload job field `id` is missing/,
      ),
    ]);

    setInputs({ name: 'fw-size-string' });
    emulator.faults.load([
      {
        operation: 'list-images',
        fault: { type: 'mangle', set: { datafile_size: String(workspace.image.length) } },
      },
    ]);
    stdout = '';
    out = await runCaptured();
    expect(out.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(
        /firmware image (\(list item 1\) )?field `datafile_size` is a string \("\d+"\); expected a whole number/,
      ),
    ]);
  });

  it('a key with a non-ASCII character: a clear error naming api-key, and no request at all', async () => {
    const requestsBefore = emulator.events.filter((e) => e.type === 'request').length;
    setInputs({ 'api-key': 'ak_caf\u00e9_key' });
    const out = await runCaptured();
    expect(process.exitCode).toBe(1);
    expect(out).toMatch(/^::error::Input `api-key`: holds a character that is not printable ASCII/m);
    expect(out).not.toContain('retrying');
    expect(emulator.events.filter((e) => e.type === 'request').length).toBe(requestsBefore);
  });
});
