// The one specification of every input of both steps: its name (the action input, the id hints and
// InputError use), its CLI option, default, range, and which step has it. The settings parsers take
// defaults and ranges from here, the CLI builds its commander options and its vocabulary from here, and
// `npm run docs -- --check` checks both action.yml files and the README's CLI tables against it.
import { DEFAULT_API_HOST, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../api/types.js';
import { formatBytes } from '../common/bytes.js';
import { SDK_KEY_VARIABLE } from './api-key.js';
import { SDK_HOST_VARIABLE } from './host.js';

export type Step = 'publish' | 'campaign';

export interface Range {
  min: number;
  max: number;
  aboveMin?: boolean;
  unit?: 'bytes';
}

export interface InputSpec {
  /** The action input; also the id in hints and InputError. */
  name: string;
  /** action.yml's `required: true`; an input without it is optional. */
  required?: true;
  /** action.yml's `default` (the parser's value for an empty input), as the runner passes it. */
  default?: string;
  /**
   * Inclusive bounds the parser enforces, in the input's own unit (`bytes`: shown as 5MiB); `aboveMin`:
   * the value must be above `min`, not equal to it. The CLI help and the README show it (rangeText).
   */
  range?: Range;
  /** A secret: masked before anything is logged, never passed on a command line. */
  secret?: boolean;
  cli: {
    /** The commander flag with its argument: '--chunk-size <size>', '--dry-run', '--no-start'. */
    flag: string;
    /** The option's help line, without range and default (added from `range`, `default`, `shownDefault`). */
    help: string;
    /** The default as the help shows it, when it is not `default` itself (a derived or variable default). */
    shownDefault?: string;
    /** The environment variable that gives the input when the option does not (CLI messages name both). */
    variable?: string;
  };
}

const API_KEY: InputSpec = {
  name: 'api-key',
  required: true,
  secret: true,
  cli: {
    flag: '--api-key-file <file>',
    help: 'read the access key from this file; there is no --api-key, as a command line is not secret',
    shownDefault: `IZUMA_API_KEY, else ${SDK_KEY_VARIABLE}`,
    variable: 'IZUMA_API_KEY',
  },
};

const API_HOST: InputSpec = {
  name: 'api-host',
  cli: {
    flag: '--api-host <url>',
    help: 'API base URL',
    shownDefault: `${SDK_HOST_VARIABLE} or ${DEFAULT_API_HOST}`,
    variable: SDK_HOST_VARIABLE,
  },
};

const RETRIES: InputSpec = {
  name: 'retries',
  default: '5',
  range: { min: 0, max: 100 },
  cli: { flag: '--retries <n>', help: 'extra attempts for a failed request, after the first' },
};

const REQUEST_TIMEOUT: InputSpec = {
  name: 'request-timeout',
  default: '300',
  // Below 30 s the bytes the OS buffers could take longer to drain than the timeout (settings.ts).
  range: { min: 30, max: 3600 },
  cli: {
    flag: '--request-timeout <seconds>',
    help: 'seconds without progress before a request is abandoned',
  },
};

const dryRun = (help: string): InputSpec => ({
  name: 'dry-run',
  default: 'false',
  cli: { flag: '--dry-run', help },
});

// In the CLI's help order: the step's own inputs, then the shared ones, the service's last.
export const PUBLISH_INPUTS: readonly InputSpec[] = [
  {
    name: 'image-path',
    required: true,
    cli: {
      flag: '--image <path>',
      help: 'the firmware file: a path or a glob matching exactly one file',
    },
  },
  {
    name: 'name',
    cli: {
      flag: '--name <name>',
      help: 'image name, at most 128 characters',
      shownDefault: 'file name + tag or short commit, from CI variables or git',
    },
  },
  {
    name: 'description',
    cli: {
      flag: '--description <text>',
      help: 'image description',
      shownDefault: 'a provenance line: repository, commit and tag',
    },
  },
  {
    name: 'chunk-size',
    default: '64MiB',
    range: { min: MIN_CHUNK_SIZE, max: MAX_CHUNK_SIZE, unit: 'bytes' },
    cli: {
      flag: '--chunk-size <size>',
      help: 'chunk size: 64MiB, 16 MiB, 8MB or bytes',
    },
  },
  {
    name: 'on-conflict',
    default: 'reuse',
    cli: {
      flag: '--on-conflict <policy>',
      help: 'when the name is taken: reuse, fail or suffix',
    },
  },
  RETRIES,
  REQUEST_TIMEOUT,
  dryRun('hash the image, check the key and report what would happen; change nothing'),
  {
    name: 'encrypt-payload',
    default: 'false',
    cli: {
      flag: '--encrypt-payload',
      help: 'ask the service to encrypt the stored image; fail if it does not',
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
      help: 'the manifest file manifest-dev-tool create wrote, at most 2 KB',
    },
  },
  {
    name: 'device-filter',
    required: true,
    cli: {
      flag: '--device-filter <filter>',
      help: "the service's device filter, e.g. device_class__eq=CLASS&vendor_id__eq=VENDOR",
    },
  },
  {
    name: 'manifest-name',
    cli: {
      flag: '--manifest-name <name>',
      help: 'manifest name',
      shownDefault: 'file name + tag or short commit',
    },
  },
  {
    name: 'campaign-name',
    cli: {
      flag: '--campaign-name <name>',
      help: 'campaign name',
      shownDefault: 'the manifest name',
    },
  },
  {
    name: 'start',
    default: 'true',
    cli: {
      flag: '--no-start',
      help: 'create the campaign as a draft; do not start it',
    },
  },
  {
    name: 'wait',
    default: 'false',
    cli: {
      flag: '--wait',
      help: 'wait for the rollout to end and apply the gates',
    },
  },
  {
    name: 'timeout',
    default: '60',
    // A GitHub-hosted job runs at most 6 hours; a self-hosted one may wait a day at most.
    range: { min: 0, max: 24 * 60, aboveMin: true },
    cli: { flag: '--timeout <minutes>', help: 'the longest to wait, in minutes' },
  },
  {
    name: 'min-success-percent',
    default: '100',
    range: { min: 0, max: 100 },
    cli: {
      flag: '--min-success-percent <percent>',
      help: 'with --wait: the share of devices that must update, in percent',
    },
  },
  {
    name: 'max-failed-devices',
    cli: {
      flag: '--max-failed-devices <n>',
      help: 'with --wait: stop the campaign and fail when more devices fail',
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

export function rangeOf(name: string): Range {
  const range = inputSpec(name).range;
  if (!range) throw new Error(`input '${name}' has no range`);
  return range;
}

/**
 * The range as messages, the help, action.yml and the README say it: `0 to 100`, `5MiB to 100MiB` (sizes
 * as an input writes them), `above 0, at most 1440`.
 */
export function rangeText({ min, max, aboveMin, unit }: Range): string {
  const shown = (n: number) => (unit === 'bytes' ? formatBytes(n).replace(' ', '') : String(n));
  return aboveMin ? `above ${shown(min)}, at most ${shown(max)}` : `${shown(min)} to ${shown(max)}`;
}
