// The campaign step's inputs: raw strings -> one typed CampaignSettings; every error names the input and
// the fix. The inputs it shares with publish (api-key, api-host, retries, request-timeout, dry-run) are
// parsed by the same functions, so they accept and refuse exactly the same values.
import { UNSAFE_CHARACTERS } from '../common/neutralise.js';
import { InputError } from './errors.js';
import { defaultOf, rangeOf } from './spec.js';
import {
  parseName,
  parseBoolean,
  parseConnection,
  parseRequestTimeout,
  parseRetries,
  required,
  type ReadInput,
} from './settings.js';

// Defaults and bounds are the input specification's (spec.ts).
export const DEFAULT_TIMEOUT_MINUTES = Number(defaultOf('timeout'));
const DEFAULT_MIN_SUCCESS_PERCENT = Number(defaultOf('min-success-percent'));

export interface CampaignSettings {
  apiKey: string;
  apiHost: URL;
  manifestPath: string;
  /** undefined: derived from the manifest's file name + provenance, like the image name. */
  manifestName: string | undefined;
  /** undefined: the manifest name. */
  campaignName: string | undefined;
  deviceFilter: string;
  start: boolean;
  wait: boolean;
  timeoutMs: number;
  minSuccessPercent: number;
  /** undefined: unlimited. */
  maxFailedDevices: number | undefined;
  dryRun: boolean;
  maxRetries: number;
  requestTimeoutMs: number;
}

export function parseCampaignSettings(
  read: ReadInput,
  env: Record<string, string | undefined>,
): CampaignSettings {
  const input = (name: string) => (read(name) ?? '').trim();
  return {
    ...parseConnection(input, env),
    manifestPath: required(
      'manifest-path',
      oneLine('manifest-path', input('manifest-path')),
      'give the manifest file that `manifest-dev-tool create` wrote, e.g. build/update-manifest.bin',
    ),
    manifestName: parseName('manifest-name', input('manifest-name')),
    campaignName: parseName('campaign-name', input('campaign-name')),
    deviceFilter: parseDeviceFilter(input('device-filter')),
    start: parseBoolean('start', input('start'), defaultOf('start') === 'true'),
    wait: parseBoolean('wait', input('wait'), defaultOf('wait') === 'true'),
    timeoutMs: parseTimeoutMinutes(input('timeout')) * 60_000,
    minSuccessPercent: parseMinSuccessPercent(input('min-success-percent')),
    maxFailedDevices: parseMaxFailedDevices(input('max-failed-devices')),
    dryRun: parseBoolean('dry-run', input('dry-run'), defaultOf('dry-run') === 'true'),
    maxRetries: parseRetries(input('retries')),
    requestTimeoutMs: parseRequestTimeout(input('request-timeout')) * 1000,
  };
}

/** Names and paths are one line: a newline or control character is a pasting mistake, and would forge log lines. */
function oneLine(name: string, value: string): string {
  // The characters the log neutraliser escapes (C0, C1, line separators, bidi controls).
  if (new RegExp(UNSAFE_CHARACTERS.source).test(value)) {
    throw new InputError(name, 'contains a newline or control character; give it on one line.');
  }
  return value;
}

const FILTER_EXAMPLE = 'device_class__eq=<class>&vendor_id__eq=<vendor>';

/** The service's filter string: `field__op=value` pairs joined by `&` (a bare `field=value` is `__eq`). */
function parseDeviceFilter(text: string): string {
  const filter = required(
    'device-filter',
    text,
    `give the service's filter of the devices to update, e.g. ${FILTER_EXAMPLE}`,
  );
  oneLine('device-filter', filter);
  for (const pair of filter.split('&')) {
    const [key = '', value] = pair.split('=', 2);
    if (!/^[a-z][a-z0-9_]*$/.test(key) || value === undefined || value === '') {
      throw new InputError(
        'device-filter',
        `'${pair}' is not a \`field__op=value\` pair; write the filter as ${FILTER_EXAMPLE}.`,
      );
    }
  }
  return filter;
}

function parseTimeoutMinutes(text: string): number {
  if (text === '') return DEFAULT_TIMEOUT_MINUTES;
  const minutes = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  const { min, max, aboveMin } = rangeOf('timeout');
  if (!((aboveMin ? minutes > min : minutes >= min) && minutes <= max)) {
    throw new InputError(
      'timeout',
      `'${text}' must be a number of minutes above ${min} and at most ${max}, e.g. 60.`,
    );
  }
  return minutes;
}

function parseMinSuccessPercent(text: string): number {
  if (text === '') return DEFAULT_MIN_SUCCESS_PERCENT;
  const percent = /^\d+(\.\d+)?%?$/.test(text) ? Number(text.replace(/%$/, '')) : NaN;
  const { min, max } = rangeOf('min-success-percent');
  if (!(percent >= min && percent <= max)) {
    throw new InputError(
      'min-success-percent',
      `'${text}' must be a percentage from ${min} to ${max}, e.g. 95.`,
    );
  }
  return percent;
}

function parseMaxFailedDevices(text: string): number | undefined {
  if (text === '') return undefined;
  if (!/^\d+$/.test(text)) {
    throw new InputError(
      'max-failed-devices',
      `'${text}' must be a whole number of devices (0 stops at the first failure), or empty for no limit.`,
    );
  }
  return Number(text);
}
