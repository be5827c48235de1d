// The bundled action over TLS and through a proxy, as a runner starts it. TLS: the emulator serves HTTPS
// with a CA made at test time; trusted through NODE_EXTRA_CA_CERTS the upload succeeds, untrusted it fails
// at once with a clear message and no retry. Proxy: a real tinyproxy whose outgoing connections leave from
// 127.0.0.3, so the emulator's peer address shows whether each request came through it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Emulator } from '../../src/emulator/index.js';
import type { ActionRunResult } from '../../scripts/lib/run-action.js';
import {
  PROXY_OUTGOING_ADDRESS,
  startTinyproxy,
  tinyproxyAvailable,
  type TestProxy,
} from '../support/proxy.js';
import { makeTestCertificates } from '../support/tls.js';
import { emulatorForSuite, forSuite } from '../support/suite.js';
import {
  ACTION_API_KEY,
  actionInputs,
  bundledSuite,
  errorLines,
  expectKeyNowhere,
} from '../support/bundled-action.js';
import { MiB } from '../../src/common/bytes.js';

// The suite's emulator speaks plain http; the TLS ones are started below.
const suite = bundledSuite({ image: { size: 5 * MiB + 3, seed: 11 } }); // two chunks
const { workspace } = suite;
const plainEmulator = suite.emulator;

const run = (apiHost: string, name: string, env: Record<string, string> = {}) =>
  suite.run({ inputs: actionInputs(apiHost, name), env });

async function expectUploaded(emulator: Emulator, result: ActionRunResult, name: string) {
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  expect(result.outputs.outcome).toBe('uploaded');
  const image = emulator.state.firmwareImages().find((i) => i.name === name);
  expect((await emulator.state.imageBytes(image!.id)).equals(workspace.image)).toBe(true);
  expectKeyNowhere(result);
}

/** For one describe: a CA made for it, and an emulator serving HTTPS with a certificate that CA signed. */
function httpsEmulatorForSuite() {
  const certificates = forSuite(
    'the certificates',
    async () => makeTestCertificates(),
    async (made) => made.remove(),
  );
  const emulator = emulatorForSuite(() => ({
    apiKey: ACTION_API_KEY,
    tls: { key: certificates().key, cert: certificates().cert },
  }));
  return { emulator, caFile: () => certificates().caFile };
}

describe('TLS with a private CA', () => {
  const { emulator, caFile } = httpsEmulatorForSuite();

  it('trusted through NODE_EXTRA_CA_CERTS: uploads byte-exact', async () => {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const result = await run(emulator.url, 'tls-trusted', { NODE_EXTRA_CA_CERTS: caFile() });
    await expectUploaded(emulator, result, 'tls-trusted');
  });

  it('NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch verification off: untrusted still fails, sending nothing', async () => {
    const requestsBefore = emulator.events.filter((e) => e.type === 'request').length;
    const result = await run(emulator.url, 'tls-env-off', { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(result.exitCode).toBe(1);
    expect(errorLines(result)).toEqual([expect.stringMatching(/TLS error \(\w+\).*NODE_EXTRA_CA_CERTS/)]);
    expect(emulator.events.filter((e) => e.type === 'request').length).toBe(requestsBefore);
    expect(emulator.state.firmwareImages().some((i) => i.name === 'tls-env-off')).toBe(false);
  });

  it('untrusted: fails at once, naming the TLS problem and NODE_EXTRA_CA_CERTS, without a retry', async () => {
    const requestsBefore = emulator.events.filter((e) => e.type === 'request').length;
    const result = await run(emulator.url, 'tls-untrusted');
    expect(result.exitCode).toBe(1);
    expect(errorLines(result)).toEqual([expect.stringMatching(/TLS error \(\w+\).*NODE_EXTRA_CA_CERTS/)]);
    expect(result.stdout).not.toContain('retrying');
    expect(result.stdout).not.toMatch(/\n\s+at /);
    // The handshake failed, so not a single HTTP request reached the service.
    expect(emulator.events.filter((e) => e.type === 'request').length).toBe(requestsBefore);
    expectKeyNowhere(result);
  });
});

const proxyInstalled = tinyproxyAvailable();
if (!proxyInstalled) {
  console.warn('tinyproxy is not installed (`apt-get install -y tinyproxy`): the proxy tests are skipped');
}

(proxyInstalled ? describe : describe.skip)('through a real proxy (tinyproxy)', () => {
  let proxy: TestProxy;
  // HTTPS, as a real api-host: plain http to loopback never goes through a proxy (the last test).
  const { emulator, caFile } = httpsEmulatorForSuite();
  const trusted = () => ({ NODE_EXTRA_CA_CERTS: caFile() });
  beforeAll(async () => {
    proxy = await startTinyproxy();
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  /** The peer address of every request the emulator saw from `first` on. */
  const peersSince = (first: number) =>
    new Set(emulator.events.slice(first).flatMap((e) => (e.type === 'request' ? [e.remoteAddress] : [])));
  const tunnels = async () =>
    (await proxy.log()).split('\n').filter((l) => l.includes(`CONNECT 127.0.0.1:${emulator.port}`)).length;

  it('HTTP_PROXY / HTTPS_PROXY: every request goes through the proxy', async () => {
    const first = emulator.events.length;
    const result = await run(emulator.url, 'via-proxy', {
      ...trusted(),
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
    });
    await expectUploaded(emulator, result, 'via-proxy');
    expect(peersSince(first)).toEqual(new Set([PROXY_OUTGOING_ADDRESS]));
    expect(await tunnels()).toBeGreaterThan(0);
  });

  it('NO_PROXY naming the host: every request goes direct, none through the proxy', async () => {
    const first = emulator.events.length;
    const tunnelsBefore = await tunnels();
    const result = await run(emulator.url, 'no-proxy', {
      ...trusted(),
      http_proxy: proxy.url,
      https_proxy: proxy.url,
      no_proxy: '127.0.0.1',
    });
    await expectUploaded(emulator, result, 'no-proxy');
    expect(peersSince(first)).toEqual(new Set(['127.0.0.1']));
    expect(await tunnels()).toBe(tunnelsBefore);
  });

  it('a plain http loopback api-host with HTTP_PROXY / HTTPS_PROXY and no NO_PROXY: direct, the key never crosses the proxy', async () => {
    const first = plainEmulator.events.length;
    const logBefore = await proxy.log();
    const result = await run(plainEmulator.url, 'plain-loopback', {
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
    });
    await expectUploaded(plainEmulator, result, 'plain-loopback');
    expect(
      new Set(
        plainEmulator.events.slice(first).flatMap((e) => (e.type === 'request' ? [e.remoteAddress] : [])),
      ),
    ).toEqual(new Set(['127.0.0.1']));
    expect((await proxy.log()).slice(logBefore.length)).not.toContain(`127.0.0.1:${plainEmulator.port}`);
  });
});
