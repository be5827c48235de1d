// readManifestDatafile(): the stored manifest file read from its `datafile` URL, a host of its own here
// (as the service's media bucket is), over real HTTP on loopback: without the key, bounded at 2 KB,
// no redirect followed, and plain http only to a loopback host.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { Agent } from 'undici';
import type { FirmwareManifest } from '../../src/api/release.js';
import { DeviceManagementClient } from '../../src/client/campaigns.js';
import { createDispatcher } from '../../src/client/dispatcher.js';
import { ServiceError } from '../../src/client/errors.js';
import { makeTestCertificates } from '../support/tls.js';
import { API_KEY, USER_AGENT, startLoopback, type Loopback } from '../support/loopback.js';

let bucket: Loopback;
let dispatcher: Agent;
let client: DeviceManagementClient;

beforeAll(async () => {
  bucket = await startLoopback();
  dispatcher = new Agent({ connections: 1 });
  client = new DeviceManagementClient({
    // The API host is elsewhere: the file's URL alone says where it is.
    baseUrl: new URL('http://127.0.0.1:9/api'),
    apiKey: API_KEY,
    dispatcher,
    userAgent: USER_AGENT,
    requestTimeoutMs: 10_000,
  });
});
afterAll(async () => {
  await dispatcher.destroy();
  await bucket.close();
});

const manifestAt = (datafile: string) => ({ id: 'm1', datafile }) as FirmwareManifest;

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  expect((error as Error).message).not.toContain(API_KEY);
  return error as ServiceError;
}

describe('readManifestDatafile', () => {
  it('GETs the URL as given, without the key, and returns the bytes', async () => {
    const data = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff, 0x00, 0x0a]);
    bucket.answer((_req, res) => res.writeHead(200).end(data));
    const got = await client.readManifestDatafile(manifestAt(`${bucket.url.origin}/media/m1.manifest?sig=x`));
    expect(got.equals(data)).toBe(true);
    const seen = bucket.seen.at(-1)!;
    expect(seen).toMatchObject({ method: 'GET', url: '/media/m1.manifest?sig=x' });
    expect(seen.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain(API_KEY);
    expect(seen.headers['user-agent']).toBe(USER_AGENT);
  });

  it('refuses a body over the 2 KB a manifest can be, declared or not', async () => {
    bucket.answer((_req, res) => res.writeHead(200).end(Buffer.alloc(2049)));
    const declared = await failure(client.readManifestDatafile(manifestAt(`${bucket.url.origin}/big`)));
    expect(declared.code).toBe('RESPONSE_TOO_LARGE');
    expect(declared.message).toMatch(/^read firmware manifest m1 failed: response too large .*over 2 KiB/);
    bucket.answer((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(Buffer.alloc(1500));
      res.end(Buffer.alloc(1500));
    });
    expect(
      (await failure(client.readManifestDatafile(manifestAt(`${bucket.url.origin}/chunked`)))).code,
    ).toBe('RESPONSE_TOO_LARGE');
  });

  it('follows no redirect and reports an error status as the service error it is', async () => {
    bucket.answer((_req, res) => res.writeHead(302, { location: 'https://elsewhere.invalid/m' }).end());
    const redirected = await failure(client.readManifestDatafile(manifestAt(`${bucket.url.origin}/r`)));
    expect(redirected.kind).toBe('protocol');
    expect(redirected.message).toMatch(/redirects are not followed/);
    const before = bucket.seen.length;
    bucket.answer((_req, res) => res.writeHead(404).end('no such key'));
    const missing = await failure(client.readManifestDatafile(manifestAt(`${bucket.url.origin}/gone`)));
    expect(missing).toMatchObject({ kind: 'http', status: 404 });
    expect(bucket.seen.length).toBe(before + 1);
  });

  it('sends nothing to a plain-http host that is not loopback, or to what is not a URL', async () => {
    const before = bucket.seen.length;
    for (const url of [
      'http://files.example.com/m1.manifest',
      'ftp://127.0.0.1/m',
      'not a url\n::warning::x',
    ]) {
      const refused = await failure(client.readManifestDatafile(manifestAt(url)));
      expect(refused.kind).toBe('protocol');
      expect(refused.message).toMatch(/is not https \(plain http only to loopback\)/);
      expect(refused.message).not.toMatch(/\n/);
    }
    expect(bucket.seen.length).toBe(before);
  });
});

describe('readManifestDatafile over TLS', () => {
  // A bucket whose certificate this process does not trust (the test CA is not in NODE_EXTRA_CA_CERTS):
  // the production dispatcher refuses it before any request is sent, as for the API.
  const certificates = makeTestCertificates();
  let server: Server;
  let requests = 0;
  beforeAll(async () => {
    server = createHttpsServer({ key: certificates.key, cert: certificates.cert }, (_req, res) => {
      requests++;
      res.writeHead(200).end('manifest');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    certificates.remove();
  });

  it('refuses a certificate it cannot verify, and sends no request', async () => {
    const verifying = createDispatcher({ proxyFromEnv: false });
    try {
      const tlsClient = new DeviceManagementClient({
        baseUrl: new URL('https://127.0.0.1:9/api'),
        apiKey: API_KEY,
        dispatcher: verifying,
        userAgent: USER_AGENT,
        requestTimeoutMs: 10_000,
      });
      const { port } = server.address() as AddressInfo;
      const refused = await failure(
        tlsClient.readManifestDatafile(manifestAt(`https://127.0.0.1:${port}/m1`)),
      );
      expect(refused.kind).toBe('tls');
      expect(requests).toBe(0);
    } finally {
      await verifying.destroy();
    }
  });
});
