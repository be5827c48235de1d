// The CLI's logic, free of process globals so tests call it directly: argv and streams in, exit code out.
import { readFile } from 'node:fs/promises';
import { CommanderError } from 'commander';
import { runPublish } from '../app/index.js';
import { formatBytes } from '../common/bytes.js';
import { systemClock } from '../common/clock.js';
import { render } from '../common/hint.js';
import { neutralise } from '../common/neutralise.js';
import { parseSettings, resolveApiKey, type RunnerContext } from '../inputs/index.js';
import { outputsFor } from '../report/index.js';
import { addCampaignCommand, runCampaignCommand } from './campaign.js';
import { UsageError } from './errors.js';
import {
  API_KEY_FLAG_MESSAGE,
  EXIT,
  buildProgram,
  exitCodeOfCommanderError,
  withoutOptionValues,
  findApiKeyFlag,
  inputReader,
  type ParsedOptions,
} from './options.js';
import { explainFailure, reportFailure } from './failure.js';
import { CliOutput, formatOutputs, jsonLine, redacting, type TextStream } from './output.js';
import { commandBasics } from './provenance.js';
import { cliVocabulary } from './terms.js';

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
  /**
   * The runner's context on GitHub Actions (src/github-context.ts reads it from process.env, which
   * index.ts also passes as `env`); without it GitHub's variables give no provenance.
   */
  githubContext?: () => RunnerContext | undefined;
}

/** A command's run once its options are parsed and the key is known. */
export interface CommandContext extends CliIo {
  /** The key as given (the key file, else IZUMA_API_KEY); resolveApiKey adds the SDK's variable. */
  givenKey: string;
}

/** Runs `izuma-firmware-publish <argv>`; never throws, resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Every byte written is scrubbed of the key, once it is known, whatever the message was built from.
  let secret: string = resolveApiKey(io.env.IZUMA_API_KEY, io.env);
  const stdout = redacting(io.stdout, () => secret);
  const stderr = redacting(io.stderr, () => secret);

  // Before the options are parsed (a usage error), `--json` anywhere in argv asks for the JSON failure.
  const failWith = (code: number, message: string, json: boolean): number =>
    reportFailure({ stdout, stderr }, { code, message }, json);
  const jsonAsked = argv.includes('--json');
  if (findApiKeyFlag(argv)) return failWith(EXIT.usage, API_KEY_FLAG_MESSAGE, jsonAsked);
  let parsed: { command: 'publish' | 'campaign'; options: ParsedOptions } | undefined;
  try {
    const program = buildProgram({ stdout, stderr }, (options) => (parsed = { command: 'publish', options }));
    addCampaignCommand(program, (options) => (parsed = { command: 'campaign', options }));
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const code = exitCodeOfCommanderError(error);
    // Commander has written its own message to stderr already.
    if (code !== EXIT.ok && jsonAsked) {
      const message = withoutOptionValues(error.message.replace(/^error: /, ''));
      stdout.write(`${jsonLine({ error: message, exit_code: code })}\n`);
    }
    return code;
  }
  if (!parsed) return EXIT.usage;
  const { command, options } = parsed;
  let givenKey: string;
  try {
    givenKey =
      options.apiKeyFile === undefined ? (io.env.IZUMA_API_KEY ?? '') : await readKeyFile(options.apiKeyFile);
  } catch (error) {
    return failWith(EXIT.usage, (error as Error).message, options.json === true);
  }
  // The key masked is the key used: the parsers resolve it with the same function.
  secret = resolveApiKey(givenKey, io.env);
  const ctx: CommandContext = { ...io, stdout, stderr, givenKey };
  return command === 'campaign' ? runCampaignCommand(options, ctx) : runPublishCommand(options, ctx);
}

async function runPublishCommand(options: ParsedOptions, ctx: CommandContext): Promise<number> {
  const output = new CliOutput(ctx.stderr, {
    isTTY: ctx.isTTY,
    verbose: options.verbose === true,
    clock: systemClock,
  });
  const { logger } = output;
  try {
    const settings = parseSettings(inputReader(options, ctx.givenKey), ctx.env);
    const result = await runPublish(settings, {
      ...(await commandBasics(ctx, logger)),
      onEvent: output.handle,
      onPrepared: ({ request, imageSize, nameWarning }) => {
        if (nameWarning) logger.warning(render(nameWarning, cliVocabulary));
        logger.info(
          `${settings.dryRun ? 'dry run: checking' : 'publishing'} ${request.imagePath} (${formatBytes(imageSize)}) ` +
            `as "${request.name}" on ${settings.apiHost.origin}`,
        );
      },
    });
    output.finish();
    const outputs = outputsFor(result);
    ctx.stdout.write(options.json ? `${jsonLine(outputs)}\n` : formatOutputs(outputs));
    return EXIT.ok;
  } catch (error) {
    output.finish();
    if (options.verbose && error instanceof Error && error.stack) {
      ctx.stderr.write(`${error.stack.split('\n').map(neutralise).join('\n')}\n`);
    }
    return reportFailure(ctx, explainFailure(error, ctx.signal), options.json === true);
  }
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
