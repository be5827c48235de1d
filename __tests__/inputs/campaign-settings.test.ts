// The campaign step's inputs: defaults, every input read, and a clear error naming the input for each
// bad value (newlines and control characters included).
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_API_HOST } from '../../src/api/types.js';
import { parseCampaignSettings } from '../../src/inputs/index.js';

const KEY = 'ak_campaign_settings';
const minimal = {
  'api-key': KEY,
  'manifest-path': 'build/update.manifest',
  'device-filter': 'device_class__eq=c',
};
const settingsFrom = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  parseCampaignSettings((name) => inputs[name] ?? '', env);

describe('parseCampaignSettings', () => {
  it('fills every optional input with its default', () => {
    expect(settingsFrom(minimal)).toEqual({
      apiKey: KEY,
      apiHost: new URL(DEFAULT_API_HOST),
      manifestPath: 'build/update.manifest',
      manifestName: undefined,
      campaignName: undefined,
      deviceFilter: 'device_class__eq=c',
      start: true,
      wait: false,
      timeoutMs: 60 * 60_000,
      minSuccessPercent: 100,
      maxFailedDevices: undefined,
      dryRun: false,
      maxRetries: 5,
      requestTimeoutMs: 300_000,
    });
  });

  it('reads every input when given', () => {
    const settings = settingsFrom({
      ...minimal,
      'manifest-name': 'm@v1',
      'campaign-name': 'c@v1',
      'device-filter': 'device_class__eq=a&vendor_id__eq=b&id__in=1,2',
      start: 'false',
      wait: 'true',
      timeout: '2.5',
      'min-success-percent': '95%',
      'max-failed-devices': '0',
      'dry-run': 'true',
      retries: '1',
      'request-timeout': '30',
    });
    expect(settings).toMatchObject({
      manifestName: 'm@v1',
      campaignName: 'c@v1',
      deviceFilter: 'device_class__eq=a&vendor_id__eq=b&id__in=1,2',
      start: false,
      wait: true,
      timeoutMs: 150_000,
      minSuccessPercent: 95,
      maxFailedDevices: 0,
      dryRun: true,
      maxRetries: 1,
      requestTimeoutMs: 30_000,
    });
  });

  it.each([
    ['manifest-path', '', /^Input `manifest-path`: is required but empty; give the manifest file/],
    ['device-filter', '', /^Input `device-filter`: is required but empty/],
    [
      'device-filter',
      'device_class__eq=',
      /^Input `device-filter`: 'device_class__eq=' is not a `field__op=value` pair/,
    ],
    ['device-filter', 'Device=x', /^Input `device-filter`: 'Device=x' is not a `field__op=value` pair/],
    [
      'device-filter',
      'id__eq=1\n::set-output name=x::y',
      /^Input `device-filter`: contains a newline or control character/,
    ],
    [
      'device-filter',
      'id__eq=1\u2028::warning::y',
      /^Input `device-filter`: contains a newline or control character/,
    ],
    ['device-filter', 'id__eq=1\u202Ex', /^Input `device-filter`: contains a newline or control character/],
    ['manifest-name', 'a\rb', /^Input `manifest-name`: holds U\+000D at character 2, a control character/],
    ['campaign-name', 'x\u202Ey', /^Input `campaign-name`: holds U\+202E at character 2/],
    [
      'campaign-name',
      'x'.repeat(129),
      /^Input `campaign-name`: is 129 characters long; the service accepts at most 128/,
    ],
    ['timeout', '0', /^Input `timeout`: '0' must be a number of minutes above 0 and at most 1440/],
    ['timeout', '1441', /^Input `timeout`/],
    ['min-success-percent', '101', /^Input `min-success-percent`: '101' must be a percentage from 0 to 100/],
    ['min-success-percent', 'most', /^Input `min-success-percent`/],
    ['max-failed-devices', '-1', /^Input `max-failed-devices`: '-1' must be a whole number of devices/],
    ['max-failed-devices', '2.5', /^Input `max-failed-devices`/],
    ['wait', 'yes', /^Input `wait`: 'yes' is not a boolean; use true or false\.$/],
    ['start', 'on', /^Input `start`/],
  ])('%s = %j: an error naming the input and the fix', (input, value, message) => {
    expect(() => settingsFrom({ ...minimal, [input]: value })).toThrow(message);
  });

  it('shares the key and host rules with publish (environment fallbacks, loopback-only http)', () => {
    const settings = settingsFrom(
      { 'manifest-path': 'm', 'device-filter': 'id__eq=1' },
      { MBED_CLOUD_SDK_API_KEY: 'ak_env', MBED_CLOUD_SDK_HOST: 'http://127.0.0.1:8080' },
    );
    expect(settings.apiKey).toBe('ak_env');
    expect(settings.apiHost.origin).toBe('http://127.0.0.1:8080');
    expect(() => settingsFrom({ ...minimal, 'api-host': 'http://example.com' })).toThrow(/^Input `api-host`/);
  });
});
