// TLS verification and proxies through createDispatcher, over real sockets on 127.0.0.1.
// fixtures/: a test-only CA (its key discarded) and two server certificates it signed, valid to 2126:
// loopback.pem (localhost, 127.0.0.1) and wrong-name.pem (wrong-name.invalid).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UpdateServiceClient } from '../../src/client/client.js';
import { createDispatcher, type DispatcherOptions } from '../../src/client/dispatcher.js';
import { ServiceError } from '../../src/client/errors.js';
import { API_KEY, USER_AGENT, json, rejectionOf, startLoopback, type Loopback } from './loopback.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const JOB = { object: 'upload-job', id: 'j1', status: 'in_progress' };

function listen(server: Server): Promise<URL> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(new URL(`http://127.0.0.1:${port}`));
    }),
  );
}

function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function tracked(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

async function getJobThrough(dispatcherOptions: DispatcherOptions, baseUrl: URL) {
  const dispatcher = createDispatcher(dispatcherOptions);
  const client = new UpdateServiceClient({
    baseUrl,
    apiKey: API_KEY,
    dispatcher,
    userAgent: USER_AGENT,
    requestTimeoutMs: 10_000,
  });
  try {
    return await client.getUploadJob('j1');
  } finally {
    await dispatcher.destroy();
  }
}

describe('TLS', () => {
  const servers: { server: Server; sockets: Set<Socket>; url: URL }[] = [];

  async function tlsServer(certName: string): Promise<URL> {
    const server = createHttpsServer(
      { cert: readFileSync(fixture(`${certName}.pem`)), key: readFileSync(fixture(`${certName}.key`)) },
      (req, res) => json(200, JOB)(req, res, Buffer.alloc(0)),
    );
    const sockets = tracked(server);
    const url = await listen(server);
    url.protocol = 'https:';
    servers.push({ server, sockets, url });
    return url;
  }

  afterAll(async () => {
    for (const { server, sockets } of servers) await closeAll(server, sockets);
  });

  it('refuses a certificate from an unknown CA: a TLS error that sent nothing, hinting NODE_EXTRA_CA_CERTS', async () => {
    const url = await tlsServer('loopback');
    const err = (await rejectionOf(getJobThrough({ proxyFromEnv: false }, url))) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ kind: 'tls', maybeReceived: false });
    expect(err.code).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
    );
    expect(err.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
  });

  it("trusts a CA given in NODE_EXTRA_CA_CERTS (undici's connector uses Node's trust store); still checks the name", async () => {
    const trusted = await tlsServer('loopback');
    const wrongName = await tlsServer('wrong-name');
    // NODE_EXTRA_CA_CERTS is read at process start, so the check runs in a child process.
    const clientModule = new URL('../../src/client/index.ts', import.meta.url).href;
    const script = `
      import { createDispatcher, UpdateServiceClient } from ${JSON.stringify(clientModule)};
      const dispatcher = createDispatcher({ proxyFromEnv: false });
      const client = (url) => new UpdateServiceClient({ baseUrl: new URL(url), apiKey: 'k', dispatcher,
        userAgent: 'test', requestTimeoutMs: 10000 });
      const job = await client(${JSON.stringify(trusted.href)}).getUploadJob('j1');
      const failure = await client(${JSON.stringify(wrongName.href)}).getUploadJob('j1').catch((e) => e);
      console.log(JSON.stringify({ id: job.id, kind: failure.kind, code: failure.code, hint: failure.hint }));
      await dispatcher.close();`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: fixture('ca.pem') } },
    );
    const result = JSON.parse(stdout);
    expect(result.id).toBe('j1');
    expect(result).toMatchObject({ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(result.hint).toMatch(/api-host/);
  });
});

describe('proxy from the environment', () => {
  let target: Loopback;
  let proxy: Server;
  let proxySockets: Set<Socket>;
  let proxyUrl: URL;
  const tunnels: string[] = [];

  beforeAll(async () => {
    target = await startLoopback();
    target.answer(json(200, JOB));
    proxy = createHttpServer((_req, res) => res.writeHead(501).end());
    proxySockets = tracked(proxy);
    // A CONNECT proxy that only ever tunnels to loopback.
    proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
      const [host, port] = (req.url ?? '').split(':');
      tunnels.push(req.url ?? '');
      if (host !== '127.0.0.1') return clientSocket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      const upstream = connect(Number(port), '127.0.0.1', () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket).pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    proxyUrl = await listen(proxy);
  });
  afterAll(async () => {
    await closeAll(proxy, proxySockets);
    await target.close();
  });

  it('goes through HTTPS_PROXY / HTTP_PROXY given as env', async () => {
    tunnels.length = 0;
    const job = await getJobThrough(
      { proxyFromEnv: true, env: { HTTP_PROXY: proxyUrl.href, HTTPS_PROXY: proxyUrl.href } },
      target.url,
    );
    expect(job.id).toBe('j1');
    expect(tunnels).toEqual([target.url.host]);
  });

  it('goes direct for a host in NO_PROXY', async () => {
    tunnels.length = 0;
    const job = await getJobThrough(
      { proxyFromEnv: true, env: { http_proxy: proxyUrl.href, no_proxy: '127.0.0.1' } },
      target.url,
    );
    expect(job.id).toBe('j1');
    expect(tunnels).toEqual([]);
  });

  it('goes direct when proxyFromEnv is off, whatever the env says', async () => {
    tunnels.length = 0;
    const job = await getJobThrough({ proxyFromEnv: false, env: { HTTP_PROXY: proxyUrl.href } }, target.url);
    expect(job.id).toBe('j1');
    expect(tunnels).toEqual([]);
  });
});
