import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MiB } from '../../src/common/bytes.js';
import { randomData, send, sha256Hex } from './helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'ak_cli_test';

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts the emulator CLI in its own process group; resolves with the URL from its `listening on` line. */
function startCli(command: string, args: string[]): Promise<Started> {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (piece: Buffer) => {
      output += piece.toString();
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
      if (match) resolve({ child, url: match[1]!, exited });
    });
    child.stderr!.on('data', (piece: Buffer) => (output += piece.toString()));
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}) before listening:\n${output}`)));
  });
}

/** The whole process group (npm, sh, tsx, node) that this test started. */
function stopGroup(started: Started, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  try {
    process.kill(-started.child.pid!, signal);
  } catch {
    // already gone
  }
  return started.exited;
}

describe('emulator CLI and the curl client script', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'emulator-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs scripts/curl-upload.sh against `npm run emulator`: stored bytes and checksum match the file', async () => {
    const file = join(dir, 'firmware.bin');
    const data = randomData(11 * MiB);
    writeFileSync(file, data);
    const emulator = await startCli('npm', [
      'run',
      '-s',
      'emulator',
      '--',
      '--port',
      '0',
      '--api-key',
      KEY,
      '--data-dir',
      join(dir, 'data'),
    ]);
    try {
      const { stdout } = await run(
        'bash',
        ['scripts/curl-upload.sh', emulator.url, KEY, file, 'curl "quoted" name', String(5 * MiB)],
        { cwd: ROOT },
      );
      expect(stdout).toContain('chunk 3/3 sent');
      expect(stdout).toContain(`checksum: match (${sha256Hex(data)}, ${data.length} bytes)`);
      const imageId = /^firmware image: ([0-9a-f]{32})$/m.exec(stdout)?.[1];
      expect(imageId).toBeDefined();

      const auth = { headers: { Authorization: `Bearer ${KEY}` } };
      const image = (await send(emulator.url, 'GET', `/v3/firmware-images/${imageId}`, auth)).json;
      expect(image).toMatchObject({
        name: 'curl "quoted" name',
        datafile_size: data.length,
        datafile_checksum: sha256Hex(data),
      });
      expect((await send(emulator.url, 'GET', image.datafile)).body.equals(data)).toBe(true);

      // The name is now taken: the script stops on the 409 with a non-zero exit.
      await expect(
        run('bash', ['scripts/curl-upload.sh', emulator.url, KEY, file, 'curl "quoted" name'], { cwd: ROOT }),
      ).rejects.toMatchObject({
        code: 22,
      });
    } finally {
      await stopGroup(emulator);
    }
  });

  it('loads fault rules from --faults and stops cleanly on SIGINT', async () => {
    const faults = join(dir, 'faults.json');
    writeFileSync(
      faults,
      JSON.stringify([
        { operation: 'list-jobs', nth: 1, fault: { type: 'status', status: 503, retryAfter: '1' } },
      ]),
    );
    const emulator = await startCli(join(ROOT, 'node_modules', '.bin', 'tsx'), [
      'src/emulator/cli.ts',
      '--port',
      '0',
      '--api-key',
      KEY,
      '--faults',
      faults,
      '--latency-ms',
      '1',
      '--bandwidth',
      '100MiB',
    ]);
    const auth = { headers: { Authorization: `Bearer ${KEY}` } };
    const first = await send(emulator.url, 'GET', '/v3/firmware-images/upload-jobs', auth);
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('1');
    expect((await send(emulator.url, 'GET', '/v3/firmware-images/upload-jobs', auth)).status).toBe(200);

    process.kill(emulator.child.pid!, 'SIGINT');
    expect(await emulator.exited).toBe(0);
    await expect(send(emulator.url, 'GET', '/v3/firmware-images/upload-jobs', auth)).rejects.toThrow();
  });

  it('refuses bad options with a clear message and no stack trace', async () => {
    const faults = join(dir, 'bad-faults.json');
    writeFileSync(faults, JSON.stringify([{ operation: 'upload-everything', fault: { type: 'hang' } }]));
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const failure = await run(tsx, ['src/emulator/cli.ts', '--faults', faults], { cwd: ROOT }).catch(
      (error) => error,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain('operation must be one of');
    expect(failure.stderr).not.toMatch(/\n\s+at /);
  });
});
