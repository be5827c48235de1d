// The CLI's argument layer: commander's definition of `publish`, and the mapping of its options onto the
// action's input names, so that parseSettings applies exactly the same rules and messages to both.
import { Command, CommanderError } from 'commander';
import { CLIENT_VERSION } from '../client/index.js';

export const PROGRAM_NAME = 'izuma-firmware-publish';

export const EXIT = { ok: 0, failed: 1, usage: 2, conflict: 3 } as const;

/** What `publish` was given, as commander parses it (option values are raw strings). */
export interface PublishOptions {
  image: string;
  name?: string;
  description?: string;
  chunkSize?: string;
  onConflict?: string;
  retries?: string;
  requestTimeout?: string;
  dryRun?: boolean;
  encryptPayload?: boolean;
  apiHost?: string;
  apiKeyFile?: string;
  json?: boolean;
  verbose?: boolean;
}

/** The CLI option (or variable) that supplies each action input: error messages name these. */
export const OPTION_FOR_INPUT: Record<string, string> = {
  'api-key': '--api-key-file (or IZUMA_API_KEY)',
  'api-host': '--api-host (or MBED_CLOUD_SDK_HOST)',
  'image-path': '--image',
  name: '--name',
  description: '--description',
  'chunk-size': '--chunk-size',
  'on-conflict': '--on-conflict',
  retries: '--retries',
  'request-timeout': '--request-timeout',
  'dry-run': '--dry-run',
  'encrypt-payload': '--encrypt-payload',
};

/** Reads one action input from the CLI's options; `apiKey` was read from the key file or environment. */
export function inputReader(options: PublishOptions, apiKey: string): (input: string) => string {
  const byInput: Record<string, string | undefined> = {
    'api-key': apiKey,
    'api-host': options.apiHost,
    'image-path': options.image,
    name: options.name,
    description: options.description,
    'chunk-size': options.chunkSize,
    'on-conflict': options.onConflict,
    retries: options.retries,
    'request-timeout': options.requestTimeout,
    'dry-run': options.dryRun ? 'true' : undefined,
    'encrypt-payload': options.encryptPayload ? 'true' : undefined,
  };
  return (input) => byInput[input] ?? '';
}

const EXIT_CODES_HELP = `
Exit codes:
  0  done (uploaded, resumed, reused, or a dry run)
  1  failed (service, network, verification error, or cancelled)
  2  bad usage (an unknown option, a missing or invalid value)
  3  conflict: the name is held by something this run may not use, under any
     --on-conflict policy (fail: the name is taken; reuse: an image of that
     name holds other content)
  With --json, a failure prints {"error": "<message>", "exit_code": <code>}
  on stdout (and the message on stderr).

Environment:
  IZUMA_API_KEY, MBED_CLOUD_SDK_API_KEY   the access key (when --api-key-file is not given)
  MBED_CLOUD_SDK_HOST                     the API host (when --api-host is not given)
  HTTPS_PROXY, NO_PROXY                   a proxy for the API requests
  GITHUB_SHA, GITHUB_REF                  the commit and tag in the default --name and --description;
  CI_COMMIT_SHA, CI_COMMIT_TAG            on GitLab CI,
  GIT_COMMIT, TAG_NAME                    on Jenkins, else git in the current directory`;

/**
 * The program, writing help and errors to the given streams and throwing CommanderError instead of
 * exiting. `onPublish` receives the parsed options of a `publish` command.
 */
// Settings made on the program before .command() are inherited by the subcommand.
export function buildProgram(
  io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } },
  onPublish: (options: PublishOptions) => void,
): Command {
  const program = new Command(PROGRAM_NAME)
    .description('Publish firmware images to Izuma Device Management (formerly Pelion / Mbed Cloud).')
    .version(CLIENT_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError(`(run '${PROGRAM_NAME} publish --help' for the options)`)
    .addHelpText(
      'after',
      `\nRun '${PROGRAM_NAME} publish --help' for its options, exit codes and environment.`,
    );

  program
    .command('publish')
    .description(
      'Upload a firmware image through the chunked upload-jobs API (resuming an unfinished upload of ' +
        'the same name), then verify its size and SHA-256 on the service.',
    )
    .requiredOption('--image <path>', 'the firmware file: a path or a glob matching exactly one file')
    .option('--name <name>', 'image name, at most 128 characters (default: file name + tag or short commit)')
    .option('--description <text>', 'image description (default: repository, commit and tag)')
    .option('--chunk-size <size>', 'chunk size, 5MiB to 100MiB (default: 32MiB)')
    .option('--on-conflict <policy>', 'when the name is taken: reuse, fail or suffix (default: reuse)')
    .option('--retries <n>', 'extra attempts for a failed request (default: 5)')
    .option(
      '--request-timeout <seconds>',
      'give up on a request with no bytes moving this long (default: 300)',
    )
    .option('--dry-run', 'hash the image, check the key and report what would happen; change nothing')
    .option('--encrypt-payload', 'ask the service to encrypt the stored image; fail if it does not')
    .option(
      '--api-host <url>',
      'API base URL (default: MBED_CLOUD_SDK_HOST or https://api.us-east-1.mbedcloud.com)',
    )
    .option('--api-key-file <file>', 'read the access key from this file (default: IZUMA_API_KEY)')
    .option('--json', 'print the outputs as one JSON object on stdout, and nothing else on stdout')
    .option('--verbose', 'debug lines (requests, retries) on stderr')
    .addHelpText('after', EXIT_CODES_HELP)
    .action((options: PublishOptions) => onPublish(options));
  return program;
}

/** `--api-key` does not exist on purpose: a key in argv lands in shell history and process lists. */
export function findApiKeyFlag(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--api-key' || arg.startsWith('--api-key='));
}

export const API_KEY_FLAG_MESSAGE =
  'there is no --api-key option: a key on the command line ends up in shell history and process lists. ' +
  'Pass the key in a file with --api-key-file <file>, or in the IZUMA_API_KEY environment variable ' +
  '(e.g. a masked CI variable or a Jenkins credential binding).';

/** Commander's own exits: help and --version are successes, anything else is bad usage. */
export function exitCodeOfCommanderError(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}

/**
 * Messages shared with the action name its inputs (`chunk-size`, the `api-key` secret); the CLI's user
 * knows options (--chunk-size) and variables instead.
 */
export function inCliTerms(text: string): string {
  const optionFor = (input: string) => OPTION_FOR_INPUT[input];
  return text
    .replace(/^Input `([\w-]+)`: /, (whole, input: string) =>
      optionFor(input) ? `${optionFor(input)}: ` : whole,
    )
    .replace(/the `api-key` secret/g, 'the access key (--api-key-file or IZUMA_API_KEY)')
    .replace(/`([\w-]+)`( input)?/g, (whole, input: string, noun?: string) =>
      optionFor(input) ? `${optionFor(input)}${noun ? ' option' : ''}` : whole,
    );
}
