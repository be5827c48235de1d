import { describe, expect, it } from '@jest/globals';
import { DEFAULT_API_HOST } from '../../src/api/types.js';
import { DEFAULT_CHUNK_SIZE, InputError, parseSettings, type Settings } from '../../src/inputs/index.js';

const KEY = 'ak_secret_value_123';

function settingsFrom(
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {},
): Settings {
  return parseSettings((name) => inputs[name] ?? '', env);
}

function errorFrom(inputs: Record<string, string>, env: Record<string, string | undefined> = {}): InputError {
  try {
    settingsFrom(inputs, env);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

const minimal = { 'api-key': KEY, 'image-path': 'build/*.bin' };

describe('parseSettings', () => {
  it('fills every optional input with its default', () => {
    expect(settingsFrom(minimal)).toEqual({
      apiKey: KEY,
      apiHost: new URL(DEFAULT_API_HOST),
      imagePattern: 'build/*.bin',
      name: undefined,
      description: undefined,
      chunkSize: DEFAULT_CHUNK_SIZE,
      onConflict: 'reuse',
      maxRetries: 5,
      requestTimeoutMs: 300_000,
      dryRun: false,
      encryptPayload: false,
    });
    expect(DEFAULT_CHUNK_SIZE).toBe(64 * 1024 * 1024);
  });

  it('reads every input when given', () => {
    const settings = settingsFrom({
      ...minimal,
      'api-host': 'https://api.ap-northeast-1.mbedcloud.com/',
      name: 'fw v1',
      description: 'release build',
      'chunk-size': '8MiB',
      'on-conflict': 'suffix',
      retries: '0',
      'request-timeout': '30.5',
      'dry-run': 'TRUE',
    });
    expect(settings).toMatchObject({
      name: 'fw v1',
      description: 'release build',
      chunkSize: 8 * 1024 * 1024,
      onConflict: 'suffix',
      maxRetries: 0,
      requestTimeoutMs: 30_500,
      dryRun: true,
    });
    expect(settings.apiHost.origin).toBe('https://api.ap-northeast-1.mbedcloud.com');
  });

  describe('api-key', () => {
    it('trims whitespace and newlines', () => {
      expect(settingsFrom({ ...minimal, 'api-key': `  ${KEY}\r\n` }).apiKey).toBe(KEY);
    });

    it('falls back to MBED_CLOUD_SDK_API_KEY', () => {
      expect(settingsFrom({ 'image-path': 'a.bin' }, { MBED_CLOUD_SDK_API_KEY: `${KEY}\n` }).apiKey).toBe(
        KEY,
      );
    });

    it('prefers the input over the environment', () => {
      expect(settingsFrom(minimal, { MBED_CLOUD_SDK_API_KEY: 'ak_other' }).apiKey).toBe(KEY);
    });

    it('names the input and hints at secrets and forks when both are empty', () => {
      const error = errorFrom({ 'image-path': 'a.bin', 'api-key': ' \n' }, { MBED_CLOUD_SDK_API_KEY: '' });
      expect(error.input).toBe('api-key');
      expect(error.message).toMatch(/^Input `api-key`: is required/);
      expect(error.message).toMatch(/repository secret/);
      expect(error.message).toMatch(/forks/);
    });

    it('never echoes the key in another input error', () => {
      const error = errorFrom({ ...minimal, retries: 'many' });
      expect(error.message).not.toContain(KEY);
    });
  });

  describe('api-host', () => {
    it('falls back to MBED_CLOUD_SDK_HOST, then the default', () => {
      const env = { MBED_CLOUD_SDK_HOST: 'https://example.test' };
      expect(settingsFrom(minimal, env).apiHost.href).toBe('https://example.test/');
      expect(settingsFrom({ ...minimal, 'api-host': 'https://other.test' }, env).apiHost.origin).toBe(
        'https://other.test',
      );
    });

    it.each([
      'http://localhost:8080',
      'http://LOCALHOST',
      'http://127.0.0.1:3000/',
      'http://127.5.6.7',
      'http://[::1]:9000',
      'https://api.us-east-1.mbedcloud.com',
      'https://10.1.2.3:8443',
    ])('accepts %s', (host) => {
      expect(settingsFrom({ ...minimal, 'api-host': host }).apiHost.origin).toBe(new URL(host).origin);
    });

    it.each([
      ['http://api.us-east-1.mbedcloud.com', /plain http is refused/],
      ['http://10.0.0.1', /plain http is refused/],
      ['http://128.0.0.1', /plain http is refused/],
      ['http://localhost.example.com', /plain http is refused/],
      ['ftp://example.com', /must start with https:\/\//],
      ['api.us-east-1.mbedcloud.com', /is not a URL/],
      ['localhost:8080', /must start with https:\/\//],
      ['https://example.com/v3', /without a path/],
      ['https://example.com/?a=1', /without a path, query/],
      ['https://example.com/#top', /fragment/],
    ])('refuses %s', (host, reason) => {
      const error = errorFrom({ ...minimal, 'api-host': host });
      expect(error.input).toBe('api-host');
      expect(error.message).toMatch(reason);
    });

    it('refuses credentials without repeating them', () => {
      const error = errorFrom({ ...minimal, 'api-host': 'https://user:hunter2@example.com' });
      expect(error.message).toMatch(/credentials/);
      expect(error.message).not.toContain('hunter2');
    });
  });

  it('requires image-path', () => {
    expect(errorFrom({ 'api-key': KEY }).input).toBe('image-path');
  });

  it('limits name to 128 and description to 2000 characters', () => {
    expect(settingsFrom({ ...minimal, name: 'n'.repeat(128) }).name).toHaveLength(128);
    expect(errorFrom({ ...minimal, name: 'n'.repeat(129) }).message).toMatch(/^Input `name`: .*at most 128/);
    expect(settingsFrom({ ...minimal, description: 'd'.repeat(2000) }).description).toHaveLength(2000);
    expect(errorFrom({ ...minimal, description: 'd'.repeat(2001) }).input).toBe('description');
  });

  describe('chunk-size', () => {
    it.each([
      ['5MiB', 5 * 1024 * 1024],
      ['100MiB', 100 * 1024 * 1024],
      ['16 MiB', 16 * 1024 * 1024],
      ['16MB', 16_000_000],
      ['5242880', 5242880],
      ['7.5mib', 7.5 * 1024 * 1024],
    ])('accepts %s', (text, bytes) => {
      expect(settingsFrom({ ...minimal, 'chunk-size': text }).chunkSize).toBe(bytes);
    });

    it('refuses a size below 5 MiB with the fix', () => {
      expect(errorFrom({ ...minimal, 'chunk-size': '3MiB' }).message).toBe(
        "Input `chunk-size`: '3MiB' is below the 5 MiB minimum that every chunk but the last must meet; " +
          'use a value from 5MiB to 100MiB, e.g. 32MiB.',
      );
      expect(errorFrom({ ...minimal, 'chunk-size': '5242879' }).input).toBe('chunk-size');
      expect(errorFrom({ ...minimal, 'chunk-size': '5MB' }).input).toBe('chunk-size');
    });

    it.each(['101MiB', '1GiB', 'lots', '8 parsecs', '-8MiB'])('refuses %s', (text) => {
      const error = errorFrom({ ...minimal, 'chunk-size': text });
      expect(error.input).toBe('chunk-size');
      expect(error.message).toMatch(/use a value from 5MiB to 100MiB/);
    });
  });

  it('accepts the on-conflict choices and lists them on a bad one', () => {
    expect(settingsFrom({ ...minimal, 'on-conflict': 'fail' }).onConflict).toBe('fail');
    expect(settingsFrom({ ...minimal, 'on-conflict': 'Reuse' }).onConflict).toBe('reuse');
    expect(errorFrom({ ...minimal, 'on-conflict': 'overwrite' }).message).toMatch(/reuse, fail, suffix/);
  });

  it.each(['-1', '101', '2.5', 'five', '1e2'])('refuses retries %s', (text) => {
    expect(errorFrom({ ...minimal, retries: text }).input).toBe('retries');
  });

  it('accepts retries at the bounds', () => {
    expect(settingsFrom({ ...minimal, retries: '100' }).maxRetries).toBe(100);
  });

  it.each(['0', '0.001', '29.9', '3601', '-5', 'soon', '1e3'])('refuses request-timeout %s', (text) => {
    expect(errorFrom({ ...minimal, 'request-timeout': text }).input).toBe('request-timeout');
  });

  it('accepts request-timeout up to an hour', () => {
    expect(settingsFrom({ ...minimal, 'request-timeout': '3600' }).requestTimeoutMs).toBe(3_600_000);
  });

  it.each([
    ['true', true],
    ['True', true],
    ['false', false],
    ['FALSE', false],
    ['', false],
  ])('reads dry-run %j', (text, value) => {
    expect(settingsFrom({ ...minimal, 'dry-run': text }).dryRun).toBe(value);
  });

  it.each(['yes', 'tRUE', '1', 'on'])('refuses dry-run %s', (text) => {
    expect(errorFrom({ ...minimal, 'dry-run': text }).message).toMatch(
      /^Input `dry-run`: .*use true or false/,
    );
  });

  describe('hardening', () => {
    it.each([
      ['a newline', 'fw\n::error title=x::y', '000A', 3],
      ['a carriage return', 'fw\rv1', '000D', 3],
      ['a tab', 'fw\tv1', '0009', 3],
      ['an ANSI escape', 'fw\u001b[31mred', '001B', 3],
      ['DEL', 'fw\u007f', '007F', 3],
      ['a C1 control (NEL)', 'fw\u0085', '0085', 3],
      ['a right-to-left override', 'fw\u202enib.exe', '202E', 3],
      ['a left-to-right embedding', 'fw\u202a', '202A', 3],
      ['a first-strong isolate', 'fw\u2068', '2068', 3],
      ['a pop directional isolate', 'fw\u2069', '2069', 3],
      ['a right-to-left mark', 'fw\u200f', '200F', 3],
      ['a left-to-right mark', 'fw\u200e', '200E', 3],
      ['an Arabic letter mark', 'fw\u061c', '061C', 3],
      ['a line separator', 'fw\u2028v1', '2028', 3],
    ])('name with %s is refused, naming the input, the character and where', (_label, name, code, at) => {
      const error = errorFrom({ ...minimal, name });
      expect(error.input).toBe('name');
      expect(error.message).toMatch(
        new RegExp(`^Input \`name\`: holds U\\+${code} at character ${at}, a control`),
      );
      expect(error.message).not.toContain(name);
    });

    it('counts the name in characters (code points), not UTF-16 units, as the message says', () => {
      const emoji = '\u{1F680}'; // two UTF-16 units, one character
      expect(settingsFrom({ ...minimal, name: emoji.repeat(128) }).name).toBe(emoji.repeat(128));
      expect(errorFrom({ ...minimal, name: emoji.repeat(129) }).message).toMatch(/is 129 characters long/);
      expect(settingsFrom({ ...minimal, name: 'Prüfstand-Größe' }).name).toBe('Prüfstand-Größe');
    });

    it.each([
      ['a non-Latin-1 letter', 'ak_key\u2019quote'],
      ['a Latin-1 letter', 'ak_caf\u00e9'],
      ['an inner space', 'ak_two words'],
      ['a control character', 'ak_key\u0000'],
      ['DEL', 'ak_key\u007f'],
    ])('api-key with %s: a clear error naming api-key, without echoing the key', (_label, key) => {
      const error = errorFrom({ ...minimal, 'api-key': key });
      expect(error.input).toBe('api-key');
      expect(error.missing).toBe(false);
      expect(error.message).toMatch(/^Input `api-key`: holds a character that is not printable ASCII/);
      expect(error.message).not.toContain(key);
    });

    it('the request-timeout minimum is documented in the message', () => {
      expect(errorFrom({ ...minimal, 'request-timeout': '0.001' }).message).toMatch(
        /from 30 to 3600.*slow link/,
      );
      expect(settingsFrom({ ...minimal, 'request-timeout': '30' }).requestTimeoutMs).toBe(30_000);
    });
  });
});
