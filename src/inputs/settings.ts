import {
  DEFAULT_API_HOST,
  MAX_CHUNK_SIZE,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MIN_CHUNK_SIZE,
} from '../api/types.js';
import { MiB, parseSize } from '../common/bytes.js';
import { InputError } from './errors.js';
import { parseApiHost } from './host.js';

export type ConflictPolicy = 'reuse' | 'fail' | 'suffix';
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['reuse', 'fail', 'suffix'];

export const DEFAULT_CHUNK_SIZE = 64 * MiB;
export const DEFAULT_RETRIES = 5;
export const MAX_RETRIES = 100;
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 300;
export const MAX_REQUEST_TIMEOUT_SECONDS = 3600;

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
  /** Extra attempts after the first. */
  retries: number;
  /** Stall timeout: no bytes moving for this long. */
  requestTimeoutMs: number;
  dryRun: boolean;
}

export type ReadInput = (name: string) => string;

/** Turns raw input strings (empty = not given) into Settings; throws InputError on the first bad one. */
export function parseSettings(read: ReadInput, env: Record<string, string | undefined>): Settings {
  const input = (name: string) => (read(name) ?? '').trim();
  return {
    apiKey: parseApiKey(input('api-key') || (env.MBED_CLOUD_SDK_API_KEY ?? '').trim()),
    apiHost: parseApiHost(input('api-host') || (env.MBED_CLOUD_SDK_HOST ?? '').trim() || DEFAULT_API_HOST),
    imagePattern: required('image-path', input('image-path'), 'give the path or a glob of the firmware file'),
    name: optionalText('name', input('name'), MAX_NAME_LENGTH),
    description: optionalText('description', input('description'), MAX_DESCRIPTION_LENGTH),
    chunkSize: parseChunkSize(input('chunk-size')),
    onConflict: parseConflictPolicy(input('on-conflict')),
    retries: parseRetries(input('retries')),
    requestTimeoutMs: parseRequestTimeout(input('request-timeout')) * 1000,
    dryRun: parseBoolean('dry-run', input('dry-run'), false),
  };
}

function parseApiKey(key: string): string {
  return required(
    'api-key',
    key,
    'pass the access key, e.g. `api-key: ${{ secrets.IZUMA_API_KEY }}`, or set MBED_CLOUD_SDK_API_KEY. ' +
      'Store the key as a repository secret; note that secrets are not passed to workflows triggered ' +
      "from forks' pull requests",
  );
}

function required(name: string, value: string, fix: string): string {
  if (value === '') throw new InputError(name, `is required but empty; ${fix}.`);
  return value;
}

function optionalText(name: string, value: string, maxLength: number): string | undefined {
  if (value === '') return undefined;
  if (value.length > maxLength) {
    throw new InputError(
      name,
      `is ${value.length} characters long; the service accepts at most ${maxLength}, shorten it.`,
    );
  }
  return value;
}

function parseChunkSize(text: string): number {
  if (text === '') return DEFAULT_CHUNK_SIZE;
  const range = 'use a value from 5MiB to 100MiB, e.g. 32MiB.';
  let bytes: number;
  try {
    bytes = parseSize(text);
  } catch (error) {
    throw new InputError('chunk-size', `${(error as Error).message}; ${range}`);
  }
  if (bytes < MIN_CHUNK_SIZE) {
    throw new InputError(
      'chunk-size',
      `'${text}' is below the 5 MiB minimum that every chunk but the last must meet; ${range}`,
    );
  }
  if (bytes > MAX_CHUNK_SIZE) {
    throw new InputError(
      'chunk-size',
      `'${text}' is above the 100 MiB the service accepts in one request; ${range}`,
    );
  }
  return bytes;
}

function parseConflictPolicy(text: string): ConflictPolicy {
  if (text === '') return 'reuse';
  const policy = CONFLICT_POLICIES.find((choice) => choice === text.toLowerCase());
  if (policy === undefined) {
    throw new InputError(
      'on-conflict',
      `'${text}' is not one of ${CONFLICT_POLICIES.join(', ')}; pick one of them.`,
    );
  }
  return policy;
}

function parseRetries(text: string): number {
  if (text === '') return DEFAULT_RETRIES;
  const retries = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(retries <= MAX_RETRIES)) {
    throw new InputError('retries', `'${text}' must be a whole number from 0 to ${MAX_RETRIES}, e.g. 5.`);
  }
  return retries;
}

function parseRequestTimeout(text: string): number {
  if (text === '') return DEFAULT_REQUEST_TIMEOUT_SECONDS;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0 && seconds <= MAX_REQUEST_TIMEOUT_SECONDS)) {
    throw new InputError(
      'request-timeout',
      `'${text}' must be a number of seconds above 0 and at most ${MAX_REQUEST_TIMEOUT_SECONDS}, e.g. 300.`,
    );
  }
  return seconds;
}

// The YAML 1.2 core schema spellings, as @actions/core's getBooleanInput accepts them.
const TRUE_SPELLINGS = ['true', 'True', 'TRUE'];
const FALSE_SPELLINGS = ['false', 'False', 'FALSE'];

function parseBoolean(name: string, text: string, fallback: boolean): boolean {
  if (text === '') return fallback;
  if (TRUE_SPELLINGS.includes(text)) return true;
  if (FALSE_SPELLINGS.includes(text)) return false;
  throw new InputError(name, `'${text}' is not a boolean; use true or false.`);
}
