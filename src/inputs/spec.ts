// The one specification of every input of both steps: its name (the action input, the id hints and
// InputError use), its CLI option, default, range, and which step has it. The settings parsers take
// defaults and ranges from here, the CLI builds its commander options and its vocabulary from here, and
// `npm run docs -- --check` checks both action.yml files and the README's CLI tables against it.
import { DEFAULT_API_HOST, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../api/types.js';

export type Step = 'publish' | 'campaign';

export interface InputSpec {
  /** The action input; also the id in hints and InputError. */
  name: string;
  /** action.yml's `required`. */
  required: boolean;
  /** action.yml's `default` (the parser's value for an empty input), as the runner passes it. */
  default?: string;
  /** Inclusive bounds the parser enforces (in the input's own unit). */
  /** Inclusive bounds the parser enforces (`aboveMin`: the value must be above `min`, not equal to it). */
  range?: { min: number; max: number; aboveMin?: boolean };
  /** A secret: masked before anything is logged, never passed on a command line. */
  secret?: boolean;
  cli: {
    /** The commander flag with its argument: '--chunk-size <size>', '--dry-run', '--no-start'. */
    flag: string;
    /** The option's help line, without the default (added from `default` or `shownDefault`). */
    help: string;
    /** The default as the help shows it, when it is not `default` itself (a derived or variable default). */
    shownDefault?: string;
    /** The environment variable that gives the input when the option does not (CLI messages name both). */
    variable?: string;
    /** The README's CLI table note. */
    note: string;
  };
}

const API_KEY: InputSpec = {
  name: 'api-key',
  required: true,
  secret: true,
  cli: {
    flag: '--api-key-file <file>',
    help: 'read the access key from this file',
    shownDefault: 'IZUMA_API_KEY',
    variable: 'IZUMA_API_KEY',
    note: 'or `IZUMA_API_KEY`, or `MBED_CLOUD_SDK_API_KEY`; there is no `--api-key` flag',
  },
};

const API_HOST: InputSpec = {
  name: 'api-host',
  required: false,
  cli: {
    flag: '--api-host <url>',
    help: 'API base URL',
    shownDefault: `MBED_CLOUD_SDK_HOST or ${DEFAULT_API_HOST}`,
    variable: 'MBED_CLOUD_SDK_HOST',
    note: `or \`MBED_CLOUD_SDK_HOST\`; default \`${DEFAULT_API_HOST}\``,
  },
};

const RETRIES: InputSpec = {
  name: 'retries',
  required: false,
  default: '5',
  range: { min: 0, max: 100 },
  cli: {
    flag: '--retries <n>',
    help: 'extra attempts for a failed request',
    note: 'extra attempts after the first',
  },
};

const REQUEST_TIMEOUT: InputSpec = {
  name: 'request-timeout',
  required: false,
  default: '300',
  // Below 30 s the bytes the OS buffers could take longer to drain than the timeout (settings.ts).
  range: { min: 30, max: 3600 },
  cli: {
    flag: '--request-timeout <seconds>',
    help: 'give up on a request with no bytes moving this long',
    note: 'seconds without progress before a request is abandoned',
  },
};

const dryRun = (help: string): InputSpec => ({
  name: 'dry-run',
  required: false,
  default: 'false',
  cli: { flag: '--dry-run', help, note: help },
});

// In the CLI's help order: the step's own inputs, then the shared ones, the service's last.
export const PUBLISH_INPUTS: readonly InputSpec[] = [
  {
    name: 'image-path',
    required: true,
    cli: {
      flag: '--image <path>',
      help: 'the firmware file: a path or a glob matching exactly one file',
      note: 'a path or a glob matching exactly one file (required)',
    },
  },
  {
    name: 'name',
    required: false,
    cli: {
      flag: '--name <name>',
      help: 'image name, at most 128 characters',
      shownDefault: 'file name + tag or short commit',
      note: 'default: file name + tag or short commit, from CI variables or `git`',
    },
  },
  {
    name: 'description',
    required: false,
    cli: {
      flag: '--description <text>',
      help: 'image description',
      shownDefault: 'repository, commit and tag',
      note: 'default: a provenance line (repository, commit, tag)',
    },
  },
  {
    name: 'chunk-size',
    required: false,
    default: '64MiB',
    range: { min: MIN_CHUNK_SIZE, max: MAX_CHUNK_SIZE },
    cli: {
      flag: '--chunk-size <size>',
      help: 'chunk size, 5MiB to 100MiB',
      note: '`64MiB`, `16 MiB`, `8MB`, bytes; 5 MiB to 100 MiB',
    },
  },
  {
    name: 'on-conflict',
    required: false,
    default: 'reuse',
    cli: {
      flag: '--on-conflict <policy>',
      help: 'when the name is taken: reuse, fail or suffix',
      note: '`reuse`, `fail` or `suffix`',
    },
  },
  RETRIES,
  REQUEST_TIMEOUT,
  dryRun('hash the image, check the key and report what would happen; change nothing'),
  {
    name: 'encrypt-payload',
    required: false,
    default: 'false',
    cli: {
      flag: '--encrypt-payload',
      help: 'ask the service to encrypt the stored image; fail if it does not',
      note: 'ask the service to encrypt the stored image; fail if it does not',
    },
  },
  API_HOST,
  API_KEY,
];

export const CAMPAIGN_INPUTS: readonly InputSpec[] = [
  {
    name: 'manifest-path',
    required: true,
    cli: {
      flag: '--manifest <path>',
      help: 'the manifest file manifest-dev-tool create wrote (at most 2 KB)',
      note: 'the manifest file `manifest-dev-tool create` wrote (required)',
    },
  },
  {
    name: 'device-filter',
    required: true,
    cli: {
      flag: '--device-filter <filter>',
      help: "the service's device filter, e.g. device_class__eq=<c>&vendor_id__eq=<v>",
      note: "the service's device filter (required)",
    },
  },
  {
    name: 'manifest-name',
    required: false,
    cli: {
      flag: '--manifest-name <name>',
      help: 'manifest name',
      shownDefault: 'file name + tag or short commit',
      note: 'default: file name + tag or short commit',
    },
  },
  {
    name: 'campaign-name',
    required: false,
    cli: {
      flag: '--campaign-name <name>',
      help: 'campaign name',
      shownDefault: 'the manifest name',
      note: 'default: the manifest name',
    },
  },
  {
    name: 'start',
    required: false,
    default: 'true',
    cli: {
      flag: '--no-start',
      help: 'create the campaign as a draft; do not start it',
      note: 'create the campaign as a draft',
    },
  },
  {
    name: 'wait',
    required: false,
    default: 'false',
    cli: {
      flag: '--wait',
      help: 'wait for the rollout to end and apply the gates',
      note: 'wait for the rollout to end and apply the gates',
    },
  },
  {
    name: 'timeout',
    required: false,
    default: '60',
    // A GitHub-hosted job runs at most 6 hours; a self-hosted one may wait a day at most.
    range: { min: 0, max: 24 * 60, aboveMin: true },
    cli: { flag: '--timeout <minutes>', help: 'the longest to wait', note: 'minutes, above 0' },
  },
  {
    name: 'min-success-percent',
    required: false,
    default: '100',
    range: { min: 0, max: 100 },
    cli: {
      flag: '--min-success-percent <percent>',
      help: 'with --wait: the share of devices that must update',
      note: 'with `--wait`: 0 to 100',
    },
  },
  {
    name: 'max-failed-devices',
    required: false,
    cli: {
      flag: '--max-failed-devices <n>',
      help: 'with --wait: stop the campaign and fail when more devices fail',
      note: 'with `--wait`: stop and fail past this many failed devices',
    },
  },
  RETRIES,
  REQUEST_TIMEOUT,
  dryRun('count the devices, check the manifest and names, change nothing'),
  API_HOST,
  API_KEY,
];

export const INPUTS: Readonly<Record<Step, readonly InputSpec[]>> = {
  publish: PUBLISH_INPUTS,
  campaign: CAMPAIGN_INPUTS,
};

/** The spec of `name` in `step` (or in any step); throws for a name no step has: a typo in our code. */
export function inputSpec(name: string, step?: Step): InputSpec {
  const specs = step ? INPUTS[step] : [...PUBLISH_INPUTS, ...CAMPAIGN_INPUTS];
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`no input named '${name}'${step ? ` in the ${step} step` : ''}`);
  return spec;
}

/** The input's default as the parser reads it (empty when it has none). */
export function defaultOf(name: string, step?: Step): string {
  return inputSpec(name, step).default ?? '';
}

export function rangeOf(name: string): { min: number; max: number; aboveMin?: boolean } {
  const range = inputSpec(name).range;
  if (!range) throw new Error(`input '${name}' has no range`);
  return range;
}
