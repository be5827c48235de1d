// The CLI's argument layer: commander's definitions of `publish` and `campaign`, built from the input
// specification (src/inputs/spec.ts), and the mapping of parsed options back onto the action's input
// names, so that the settings parsers apply exactly the same rules and messages to both.
import { Command, CommanderError } from 'commander';
import { CLIENT_VERSION } from '../client/index.js';
import { INPUTS, rangeText, type InputSpec, type Step } from '../inputs/index.js';
import { longFlag } from './terms.js';

export const PROGRAM_NAME = 'izuma-firmware-publish';

export const EXIT = { ok: 0, failed: 1, usage: 2, conflict: 3 } as const;

/** What a command was given, as commander parses it (values are raw strings; switches booleans). */
export interface ParsedOptions {
  [option: string]: string | boolean | undefined;
  apiKeyFile?: string;
  json?: boolean;
  verbose?: boolean;
}
export type PublishOptions = ParsedOptions;

/** The options the CLI has besides the inputs. */
export const CLI_ONLY_OPTIONS: readonly { flag: string; help: string }[] = [
  {
    flag: '--json',
    help: "print the outputs (the action's output names) as one JSON object on stdout, and nothing else on stdout",
  },
  { flag: '--verbose', help: 'debug lines (requests, retries) on stderr' },
];

/** commander's attribute for an input's option: `--chunk-size` → chunkSize, `--no-start` → start. */
export function optionKey(spec: InputSpec): string {
  return longFlag(spec)
    .replace(/^--(no-)?/, '')
    .replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

const isSwitch = (spec: InputSpec) => !spec.cli.flag.includes('<');

/** The help line, also the README's: the spec's, then the range and the default an option left out gets. */
export function optionHelp(spec: InputSpec): string {
  const shown = spec.cli.shownDefault ?? (isSwitch(spec) ? undefined : spec.default);
  const details = [spec.range && rangeText(spec.range), shown !== undefined && `default: ${shown}`];
  const said = details.filter((detail) => typeof detail === 'string');
  return said.length === 0 ? spec.cli.help : `${spec.cli.help} (${said.join('; ')})`;
}

/** The key is required, but may come from the environment instead: the parser says when it is missing. */
export const isRequiredOption = (spec: InputSpec) => spec.required === true && !spec.secret;

/** Adds an option per input of `step` (the key only as a file: see findApiKeyFlag), then --json, --verbose. */
function addInputOptions(command: Command, step: Step): Command {
  for (const spec of INPUTS[step]) {
    if (isRequiredOption(spec)) command.requiredOption(spec.cli.flag, optionHelp(spec));
    else command.option(spec.cli.flag, optionHelp(spec));
  }
  for (const { flag, help } of CLI_ONLY_OPTIONS) command.option(flag, help);
  return command;
}

/** The subcommand of one step: its description, its inputs' options (from the spec), its help's tail. */
export function addStepCommand<Options>(
  program: Command,
  step: Step,
  text: { description: string; helpAfter: string },
  onAction: (options: Options) => void,
): Command {
  const command = program.command(step).description(text.description);
  addInputOptions(command, step)
    .addHelpText('after', text.helpAfter)
    .action((options: Options) => onAction(options));
  return program;
}

/** Reads one action input of `step` from the parsed options; `apiKey`: from the key file or environment. */
export function inputReader(
  options: ParsedOptions,
  apiKey: string,
  step: Step = 'publish',
): (input: string) => string {
  const byInput = new Map<string, string | undefined>();
  for (const spec of INPUTS[step]) {
    const value = spec.secret ? apiKey : options[optionKey(spec)];
    // A switch left out is not given (the input's default applies); `--no-start` gives false.
    byInput.set(spec.name, typeof value === 'boolean' ? String(value) : value);
  }
  return (input) => byInput.get(input) ?? '';
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
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(withoutOptionValues(s)),
    })
    .showHelpAfterError(`(run '${PROGRAM_NAME} publish --help' for the options)`)
    .addHelpText(
      'after',
      `\nRun '${PROGRAM_NAME} publish --help' for its options, exit codes and environment.`,
    );

  return addStepCommand(
    program,
    'publish',
    {
      description:
        'Upload a firmware image through the chunked upload-jobs API (resuming an unfinished upload of ' +
        'the same name), then verify its size and SHA-256 on the service.',
      helpAfter: EXIT_CODES_HELP,
    },
    onPublish,
  );
}

/**
 * `--api-key` does not exist on purpose: a key in argv lands in shell history and process lists. Its
 * misspellings (`--api_key`, `--apikey`, `--API-KEY`) are the same mistake and get the same answer.
 */
export function findApiKeyFlag(argv: readonly string[]): boolean {
  return argv.some((arg) => /^--api[-_]?key(=|$)/i.test(arg));
}

/**
 * Commander echoes an unknown `--option=value` whole; the value is left out, as it may be a key given to
 * a flag that does not exist (the key is unknown to the redaction then: nothing else would catch it).
 */
export const withoutOptionValues = (text: string): string => text.replace(/(--[\w-]+)=[^'\s]*/g, '$1=…');

export const API_KEY_FLAG_MESSAGE =
  'there is no --api-key option: a key on the command line ends up in shell history and process lists. ' +
  'Pass the key in a file with --api-key-file <file>, or in the IZUMA_API_KEY environment variable ' +
  '(e.g. a masked CI variable or a Jenkins credential binding).';

/** Commander's own exits: help and --version are successes, anything else is bad usage. */
export function exitCodeOfCommanderError(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
