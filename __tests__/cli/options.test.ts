import { describe, expect, it } from '@jest/globals';
import { CommanderError } from 'commander';
import { MiB } from '../../src/common/bytes.js';
import {
  EXIT,
  buildProgram,
  exitCodeOfCommanderError,
  findApiKeyFlag,
  inputReader,
  type PublishOptions,
} from '../../src/cli/options.js';
import { InputError, parseSettings, rangeText } from '../../src/inputs/index.js';
import { explainFailure } from '../../src/cli/failure.js';

/** Parses argv the way runCli does; returns the options, or the exit code commander ended with. */
async function parse(
  argv: string[],
): Promise<{ options?: PublishOptions; code?: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let options: PublishOptions | undefined;
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  try {
    await buildProgram(io, (o) => (options = o)).parseAsync(argv, { from: 'user' });
    return { options, out, err };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { code: exitCodeOfCommanderError(error), out, err };
  }
}

describe('CLI options → action inputs', () => {
  it('feed parseSettings every option under the action input it stands for', async () => {
    const { options } = await parse([
      'publish',
      '--image',
      'build/*.bin',
      '--name',
      'fw-1',
      '--description',
      'nightly',
      '--chunk-size',
      '8 MiB',
      '--on-conflict',
      'suffix',
      '--retries',
      '2',
      '--request-timeout',
      '30',
      '--dry-run',
      '--encrypt-payload',
      '--api-host',
      'http://127.0.0.1:9',
    ]);
    const settings = parseSettings(inputReader(options!, 'ak_from_file'), {});
    expect(settings).toEqual({
      apiKey: 'ak_from_file',
      apiHost: new URL('http://127.0.0.1:9'),
      imagePattern: 'build/*.bin',
      name: 'fw-1',
      description: 'nightly',
      chunkSize: 8 * MiB,
      onConflict: 'suffix',
      maxRetries: 2,
      requestTimeoutMs: 30_000,
      dryRun: true,
      encryptPayload: true,
    });
  });

  it("leave what is not given to the action's defaults and environment fallbacks", async () => {
    const { options } = await parse(['publish', '--image', 'fw.bin']);
    const settings = parseSettings(inputReader(options!, ''), {
      MBED_CLOUD_SDK_API_KEY: 'ak_env',
      MBED_CLOUD_SDK_HOST: 'https://api.ap-northeast-1.mbedcloud.com',
    });
    expect(settings).toMatchObject({
      apiKey: 'ak_env',
      apiHost: new URL('https://api.ap-northeast-1.mbedcloud.com'),
      chunkSize: 64 * MiB,
      onConflict: 'reuse',
      dryRun: false,
    });
  });

  it("report the action's validation errors under the option's name", async () => {
    const { options } = await parse(['publish', '--image', 'fw.bin', '--chunk-size', '3MiB']);
    let error: unknown;
    try {
      parseSettings(inputReader(options!, 'ak_x'), {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const { message } = explainFailure(error, undefined);
    expect(message).toMatch(/^--chunk-size: '3MiB' is below the 5 MiB minimum/);
    expect(message).not.toContain('Input `');
  });
});

describe('CLI usage errors', () => {
  it('exit 2 for an unknown option, naming it', async () => {
    const { code, err } = await parse(['publish', '--image', 'fw.bin', '--chunk', '8MiB']);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain("unknown option '--chunk'");
  });

  it('exit 2 without --image, and without a command', async () => {
    expect((await parse(['publish'])).code).toBe(EXIT.usage);
    expect((await parse([])).code).toBe(EXIT.usage);
  });

  it('exit 0 for --help, which documents the exit codes and the key variables', async () => {
    const { code, out } = await parse(['publish', '--help']);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain('--api-key-file <file>');
    expect(out).toMatch(/Exit codes:[^]*2 {2}bad usage[^]*3 {2}conflict/);
    expect(out).toContain('IZUMA_API_KEY');
  });

  it("--help gives each option's range and default from the input spec, in its unit", async () => {
    const { out } = await parse(['publish', '--help']);
    const flat = out.replace(/\s+/g, ' ');
    expect(flat).toContain('(5MiB to 100MiB; default: 64MiB)');
    expect(flat).toContain('(0 to 100; default: 5)');
    expect(flat).toContain('(30 to 3600; default: 300)');
    expect(rangeText({ min: 0, max: 1440, aboveMin: true })).toBe('above 0, at most 1440');
  });

  it('recognise an attempt to pass the key as a flag, in both spellings', () => {
    expect(findApiKeyFlag(['publish', '--api-key', 'ak_x'])).toBe(true);
    expect(findApiKeyFlag(['publish', '--api-key=ak_x'])).toBe(true);
    expect(findApiKeyFlag(['publish', '--api-key-file', 'key.txt'])).toBe(false);
  });
});
