// The CLI's logic, free of process globals so tests call it directly: argv and streams in, exit code out.
import { readFile } from 'node:fs/promises';
import { CommanderError } from 'commander';
import { createDispatcher } from '../client/index.js';
import { formatBytes } from '../common/bytes.js';
import { systemClock } from '../common/clock.js';
import { neutralise } from '../common/neutralise.js';
import { ImagePathError } from '../image/index.js';
import { InputError, parseSettings, type Settings } from '../inputs/index.js';
import { describeFailure, failureLine, outputsFor } from '../report/index.js';
import { ConflictError, clientFor, preparePublish, publish, type PublishResult } from '../uploader/index.js';
import {
  API_KEY_FLAG_MESSAGE,
  EXIT,
  buildProgram,
  exitCodeOfCommanderError,
  findApiKeyFlag,
  inCliTerms,
  inputReader,
  type PublishOptions,
} from './options.js';
import { addCampaignCommand, runCampaignCommand, type CampaignOptions } from './campaign.js';
import { CliOutput, formatOutputs, jsonLine, redacting, type TextStream } from './output.js';
import { cliProvenance } from './provenance.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: TextStream;
  /** Logs and progress. */
  stderr: TextStream;
  /** Whether stderr is a terminal: a redrawn progress bar instead of progress lines. */
  isTTY: boolean;
  /** Aborting it cancels the upload (SIGINT/SIGTERM in index.ts). */
  signal?: AbortSignal;
  /** Where git is asked for the commit and tag of the default name. */
  cwd?: string;
}

/** A CLI-only usage problem (the key file); InputError covers everything shared with the action. */
class UsageError extends Error {}

/** Runs `izuma-firmware-publish <argv>`; never throws, resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Every byte written is scrubbed of the key, once it is known, whatever the message was built from.
  let secret: string | undefined = keyFromEnv(io.env);
  const stdout = redacting(io.stdout, () => secret);
  const stderr = redacting(io.stderr, () => secret);

  // Before the options are parsed (a usage error), `--json` anywhere in argv asks for the JSON failure.
  const failWith = (code: number, message: string, json: boolean): number => {
    stderr.write(`error: ${neutralise(message)}\n`);
    if (json) stdout.write(`${jsonLine({ error: message, exit_code: code })}\n`);
    return code;
  };
  const jsonAsked = argv.includes('--json');
  if (findApiKeyFlag(argv)) return failWith(EXIT.usage, API_KEY_FLAG_MESSAGE, jsonAsked);
  let options: PublishOptions | undefined;
  let campaignOptions: CampaignOptions | undefined;
  try {
    const program = buildProgram({ stdout, stderr }, (parsed) => (options = parsed));
    addCampaignCommand(program, (parsed) => (campaignOptions = parsed));
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const code = exitCodeOfCommanderError(error);
    // Commander has written its own message to stderr already.
    if (code !== EXIT.ok && jsonAsked) {
      stdout.write(`${jsonLine({ error: error.message.replace(/^error: /, ''), exit_code: code })}\n`);
    }
    return code;
  }
  if (campaignOptions) {
    const opts: CampaignOptions = campaignOptions;
    try {
      secret = opts.apiKeyFile === undefined ? secret : await readKeyFile(opts.apiKeyFile);
    } catch (error) {
      stderr.write(`error: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    const apiKey = opts.apiKeyFile === undefined ? (io.env.IZUMA_API_KEY ?? '') : (secret ?? '');
    return runCampaignCommand(opts, { ...io, stdout, stderr, apiKey });
  }
  if (!options) return EXIT.usage;

  const output = new CliOutput(stderr, {
    isTTY: io.isTTY,
    verbose: options.verbose === true,
    clock: systemClock,
  });
  try {
    const keyFromFile = options.apiKeyFile === undefined ? undefined : await readKeyFile(options.apiKeyFile);
    secret = keyFromFile ?? secret;
    const settings = parseSettings(inputReader(options, keyFromFile ?? io.env.IZUMA_API_KEY ?? ''), io.env);
    secret = settings.apiKey;
    const result = await publishWith(settings, io, output);
    output.finish();
    const outputs = outputsFor(result);
    stdout.write(options.json ? `${jsonLine(outputs)}\n` : formatOutputs(outputs));
    return EXIT.ok;
  } catch (error) {
    output.finish();
    const { code, message } = explainFailure(error, io.signal);
    if (options.verbose && error instanceof Error && error.stack) {
      stderr.write(`${error.stack.split('\n').map(neutralise).join('\n')}\n`);
    }
    return failWith(code, message, options.json === true);
  }
}

async function publishWith(settings: Settings, io: CliIo, output: CliOutput): Promise<PublishResult> {
  const { logger } = output;
  const provenance = await cliProvenance(io.env, io.cwd ?? process.cwd());
  const { request, imageSize, nameWarning } = await preparePublish(settings, provenance);
  if (nameWarning) logger.warning(inCliTerms(nameWarning));
  const dispatcher = createDispatcher({ proxyFromEnv: true, env: io.env });
  try {
    const client = clientFor(settings, { dispatcher, signal: io.signal, logger });
    logger.info(
      `${settings.dryRun ? 'dry run: checking' : 'publishing'} ${request.imagePath} (${formatBytes(imageSize)}) ` +
        `as "${request.name}" on ${settings.apiHost.origin}`,
    );
    return await publish(request, {
      client,
      logger,
      clock: systemClock,
      signal: io.signal,
      onEvent: output.handle,
    });
  } finally {
    // Closing the keep-alive connection lets the process exit as soon as we are done.
    await dispatcher.close();
  }
}

function keyFromEnv(env: CliIo['env']): string | undefined {
  return env.IZUMA_API_KEY?.trim() || env.MBED_CLOUD_SDK_API_KEY?.trim() || undefined;
}

async function readKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(
      `--api-key-file: cannot read '${path}' (${reason}); give a file that holds the access key.`,
    );
  }
  const key = text.trim();
  if (key === '')
    throw new UsageError(`--api-key-file: '${path}' is empty; put the access key (ak_…) in it.`);
  return key;
}

function explainFailure(error: unknown, signal: AbortSignal | undefined): { code: number; message: string } {
  if (error instanceof UsageError) return { code: EXIT.usage, message: error.message };
  if (error instanceof InputError && error.input === 'api-key' && error.missing) {
    return {
      code: EXIT.usage,
      message: 'no access key: pass --api-key-file <file>, or set IZUMA_API_KEY (or MBED_CLOUD_SDK_API_KEY).',
    };
  }
  if (error instanceof InputError || error instanceof ImagePathError) {
    return { code: EXIT.usage, message: inCliTerms(error.message) };
  }
  const message = inCliTerms(failureLine(describeFailure(error)));
  if (error instanceof ConflictError) return { code: EXIT.conflict, message };
  if (signal?.aborted) return { code: EXIT.failed, message: `cancelled: ${message}` };
  return { code: EXIT.failed, message };
}
