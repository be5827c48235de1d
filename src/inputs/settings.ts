import {
  DEFAULT_API_HOST,
  MAX_CHUNK_SIZE,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MIN_CHUNK_SIZE,
} from '../api/types.js';
import { formatBytes, parseSize } from '../common/bytes.js';
import { UNSAFE_CHARACTERS } from '../common/neutralise.js';
import { alternative, hint, type Alternative } from '../common/hint.js';
import { InputError } from './errors.js';
import { resolveApiKey, SDK_KEY_VARIABLE } from './api-key.js';
import { resolveApiHost } from './host.js';
import { defaultOf, rangeOf, rangeText } from './spec.js';

export const CONFLICT_POLICIES = ['reuse', 'fail', 'suffix'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

// Defaults and bounds are the input specification's (spec.ts), which the docs check holds action.yml to.
export const DEFAULT_CHUNK_SIZE = parseSize(defaultOf('chunk-size'));
export const DEFAULT_RETRIES = Number(defaultOf('retries'));
export const MAX_RETRIES = rangeOf('retries').max;
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = Number(defaultOf('request-timeout'));
export const MAX_REQUEST_TIMEOUT_SECONDS = rangeOf('request-timeout').max;
/**
 * The stall timer sees a body slice leave when the socket takes it, not when it is on the wire: what the
 * OS buffers drains unseen. Measured with scripts/send-buffer-drain.ts on loopback (docs/design.md has
 * the numbers): about 1.4-1.6 MiB sat unseen (5.5 s at 256 KiB/s); Linux lets the send buffer grow to
 * 4 MiB (tcp_wmem). At 30 s, "a slow but moving upload is never cut off" holds down to about 140 KiB/s
 * even with that 4 MiB buffered, and to about 50 KiB/s with what was measured.
 */
export const MIN_REQUEST_TIMEOUT_SECONDS = rangeOf('request-timeout').min;

export interface Settings {
  /** Never logged; main.ts masks it before anything else. */
  apiKey: string;
  /** https, or http to a loopback host only; origin only. */
  apiHost: URL;
  /** Path or glob, resolved later by image/locate.ts. */
  imagePattern: string;
  /** undefined: derived later from file name + provenance (defaultName()). */
  name: string | undefined;
  description: string | undefined;
  /** Bytes, MIN_CHUNK_SIZE..MAX_CHUNK_SIZE. */
  chunkSize: number;
  onConflict: ConflictPolicy;
  /** Extra attempts after the first, per request (the `retries` input). */
  maxRetries: number;
  /** Stall timeout: no bytes moving for this long. */
  requestTimeoutMs: number;
  dryRun: boolean;
  /** Ask the service to encrypt the stored payload. */
  encryptPayload: boolean;
}

export type ReadInput = (name: string) => string;

/** The key and the API host, as both steps take them (inputs, else the SDK's variables). */
export function parseConnection(
  input: ReadInput,
  env: Record<string, string | undefined>,
): { apiKey: string; apiHost: URL } {
  return {
    apiKey: parseApiKey(resolveApiKey(input('api-key'), env)),
    apiHost: resolveApiHost(input('api-host'), env, DEFAULT_API_HOST),
  };
}

/** Turns raw input strings (empty = not given) into Settings; throws InputError on the first bad one. */
export function parseSettings(read: ReadInput, env: Record<string, string | undefined>): Settings {
  const input = (name: string) => (read(name) ?? '').trim();
  return {
    ...parseConnection(input, env),
    imagePattern: required('image-path', input('image-path'), 'give the path or a glob of the firmware file'),
    name: parseName('name', input('name')),
    description: optionalText('description', input('description'), MAX_DESCRIPTION_LENGTH),
    chunkSize: parseChunkSize(input('chunk-size')),
    onConflict: parseConflictPolicy(input('on-conflict')),
    maxRetries: parseRetries(input('retries')),
    requestTimeoutMs: parseRequestTimeout(input('request-timeout')) * 1000,
    dryRun: parseBoolean('dry-run', input('dry-run'), defaultOf('dry-run') === 'true'),
    encryptPayload: parseBoolean(
      'encrypt-payload',
      input('encrypt-payload'),
      defaultOf('encrypt-payload') === 'true',
    ),
  };
}

/** An access key is printable ASCII: anything else cannot go in an HTTP header, and is a copy-paste slip. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export function parseApiKey(key: string): string {
  required('api-key', key, API_KEY_FIX);
  if (!PRINTABLE_ASCII.test(key)) {
    // Never echo the key, not even the offending character (it is part of the secret).
    throw new InputError(
      'api-key',
      'holds a character that is not printable ASCII (a space, a control character, or a non-ASCII ' +
        'letter such as a typographic quote); copy the access key (ak_…) again, without anything around it.',
    );
  }
  return key;
}

/** What to do without a key, in each entry point's terms (the CLI also words its missing-key failure so). */
export const API_KEY_FIX = alternative({
  action:
    `pass the access key, e.g. \`api-key: \${{ secrets.IZUMA_API_KEY }}\`, or set ${SDK_KEY_VARIABLE}. ` +
    "Store the key as a repository secret; note that secrets are not passed to workflows triggered from forks' pull requests",
  cli: `pass --api-key-file <file>, or set IZUMA_API_KEY (or ${SDK_KEY_VARIABLE})`,
});

export function required(name: string, value: string, fix: string | Alternative): string {
  if (value === '') throw new InputError(name, hint`is required but empty; ${fix}.`, { missing: true });
  return value;
}

/** Length as the service and people count it: in characters (code points), not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

export function optionalText(name: string, value: string, maxLength: number): string | undefined {
  if (value === '') return undefined;
  const length = characterCount(value);
  if (length > maxLength) {
    throw new InputError(
      name,
      `is ${length} characters long; the service accepts at most ${maxLength}, shorten it.`,
    );
  }
  return value;
}

/** A name shows in logs, summaries and the portal: no control characters, no bidi overrides. */
export function parseName(name: string, text: string): string | undefined {
  const characters = [...text];
  const unsafe = characters.findIndex((c) => new RegExp(UNSAFE_CHARACTERS.source).test(c));
  if (unsafe >= 0) {
    const code = characters[unsafe]!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InputError(
      name,
      `holds U+${code} at character ${unsafe + 1}, a control character or a bidirectional-text control ` +
        '(newlines, tabs, escapes and bidi overrides are refused: they could disguise the name or forge ' +
        'log lines); use printable characters only.',
    );
  }
  return optionalText(name, text, MAX_NAME_LENGTH);
}

function parseChunkSize(text: string): number {
  if (text === '') return DEFAULT_CHUNK_SIZE;
  const range = `use a value from ${rangeText(rangeOf('chunk-size'))}, e.g. 32MiB.`;
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch (error) {
    throw new InputError('chunk-size', `${(error as Error).message}; ${range}`);
  }
  if (bytes < MIN_CHUNK_SIZE) {
    throw new InputError(
      'chunk-size',
      `'${text}' is below the ${formatBytes(MIN_CHUNK_SIZE)} minimum that every chunk but the last must meet; ${range}`,
    );
  }
  if (bytes > MAX_CHUNK_SIZE) {
    throw new InputError(
      'chunk-size',
      `'${text}' is above the ${formatBytes(MAX_CHUNK_SIZE)} the service accepts in one request; ${range}`,
    );
  }
  return bytes;
}

function parseConflictPolicy(text: string): ConflictPolicy {
  if (text === '') return parseConflictPolicy(defaultOf('on-conflict'));
  const policy = CONFLICT_POLICIES.find((choice) => choice === text.toLowerCase());
  if (policy === undefined) {
    throw new InputError(
      'on-conflict',
      `'${text}' is not one of ${CONFLICT_POLICIES.join(', ')}; pick one of them.`,
    );
  }
  return policy;
}

export function parseRetries(text: string): number {
  if (text === '') return DEFAULT_RETRIES;
  const retries = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(retries <= MAX_RETRIES)) {
    throw new InputError('retries', `'${text}' must be a whole number from 0 to ${MAX_RETRIES}, e.g. 5.`);
  }
  return retries;
}

export function parseRequestTimeout(text: string): number {
  if (text === '') return DEFAULT_REQUEST_TIMEOUT_SECONDS;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= MIN_REQUEST_TIMEOUT_SECONDS && seconds <= MAX_REQUEST_TIMEOUT_SECONDS)) {
    throw new InputError(
      'request-timeout',
      `'${text}' must be a number of seconds from ${MIN_REQUEST_TIMEOUT_SECONDS} to ` +
        `${MAX_REQUEST_TIMEOUT_SECONDS}, e.g. 300 (below ${MIN_REQUEST_TIMEOUT_SECONDS} s, the bytes the OS ` +
        'buffers could take longer to drain on a slow link than the timeout, cutting off an upload that moves).',
    );
  }
  return seconds;
}

// The YAML 1.2 core schema spellings, as @actions/core's getBooleanInput accepts them.
const TRUE_SPELLINGS = ['true', 'True', 'TRUE'];
const FALSE_SPELLINGS = ['false', 'False', 'FALSE'];

export function parseBoolean(name: string, text: string, fallback: boolean): boolean {
  if (text === '') return fallback;
  if (TRUE_SPELLINGS.includes(text)) return true;
  if (FALSE_SPELLINGS.includes(text)) return false;
  throw new InputError(name, `'${text}' is not a boolean; use true or false.`);
}
