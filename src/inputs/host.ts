import { isLoopbackHost } from '../common/loopback.js';
import { hint, theInput } from '../common/hint.js';
import { InputError } from './errors.js';

const INPUT = 'api-host';

/** The variable both steps fall back to for the API host (the Mbed Cloud SDK's). */
export const SDK_HOST_VARIABLE = 'MBED_CLOUD_SDK_HOST';

/** The input, else MBED_CLOUD_SDK_HOST, else the default host: validated. */
export function resolveApiHost(
  given: string,
  env: Record<string, string | undefined>,
  fallback: string,
): URL {
  return parseApiHost(given || (env[SDK_HOST_VARIABLE] ?? '').trim() || fallback);
}

// Plain HTTP is only for a local emulator: the key must never cross a network in clear text.

/** Validates the API base URL: https (or http to loopback), nothing but scheme, host and port. */
export function parseApiHost(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(INPUT, `'${text}' is not a URL; use e.g. https://api.us-east-1.mbedcloud.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(
      INPUT,
      `'${text}' must start with https:// (e.g. https://api.us-east-1.mbedcloud.com)`,
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new InputError(
      INPUT,
      `plain http is refused for ${url.hostname} because the access key would travel unencrypted; ` +
        'use https:// (http is accepted for localhost, 127.0.0.0/8 and [::1] only)',
    );
  }
  if (url.username !== '' || url.password !== '') {
    // Deliberately not echoing the text: it holds a credential.
    throw new InputError(
      INPUT,
      hint`must not contain credentials (user:password@); pass the key in ${theInput('api-key')}`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new InputError(
      INPUT,
      `'${text}' must be the bare host, without a path, query or fragment (e.g. ${url.origin})`,
    );
  }
  return new URL(url.origin);
}
