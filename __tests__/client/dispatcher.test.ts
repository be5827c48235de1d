// TLS verification and proxies through createDispatcher, over real sockets on 127.0.0.1, with a test CA
// made at test time and two server certificates it signed: loopback (localhost, 127.0.0.1) and
// wrong-name (wrong-name.invalid).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { createDispatcher, type DispatcherOptions } from '../../src/client/dispatcher.js';
import { ServiceError } from '../../src/client/errors.js';
import { makeTestCertificates, type ServerCertificate } from '../support/tls.js';
import { clientFor, json, rejectionOf, startLoopback, type Loopback } from '../support/loopback.js';

const certificates = makeTestCertificates();
const CERTS: Record<'loopback' | 'wrong-name', ServerCertificate> = {
  loopback: certificates,
  'wrong-name': certificates.issue('DNS:wrong-name.invalid'),
};
afterAll(() => certificates.remove());
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
  const { client, close } = clientFor(baseUrl, { dispatcher: createDispatcher(dispatcherOptions) });
  try {
    return await client.getUploadJob('j1');
  } finally {
    await close();
  }
}

describe('TLS', () => {
  const servers: { server: Server; sockets: Set<Socket>; url: URL }[] = [];

  async function tlsServer(certName: keyof typeof CERTS): Promise<URL> {
    const server = createHttpsServer({ cert: CERTS[certName].cert, key: CERTS[certName].key }, (req, res) =>
      json(200, JOB)(req, res, Buffer.alloc(0)),
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
      { env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: certificates.caFile } },
    );
    const result = JSON.parse(stdout);
    expect(result.id).toBe('j1');
    expect(result).toMatchObject({ kind: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(result.hint).toMatch(/api-host/);
  });
});

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment', () => {
  it('cannot switch verification off: direct, and through a proxy tunnel, an unknown CA is still refused', async () => {
    const server = createHttpsServer({ cert: CERTS.loopback.cert, key: CERTS.loopback.key }, (req, res) =>
      json(200, JOB)(req, res, Buffer.alloc(0)),
    );
    const sockets = tracked(server);
    const url = await listen(server);
    url.protocol = 'https:';
    // A tunnelling proxy for the proxied case (any host, to the server above).
    const proxy = createHttpServer((_req, res) => res.writeHead(501).end());
    const proxySockets = tracked(proxy);
    proxy.on('connect', (_req, clientSocket: Socket, head: Buffer) => {
      const upstream = connect(Number(url.port), '127.0.0.1', () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket).pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    const proxyUrl = await listen(proxy);
    // The variable is read by tls.connect at each connection; a child keeps it out of this process.
    const clientModule = new URL('../../src/client/index.ts', import.meta.url).href;
    const script = `
      import { createDispatcher, UpdateServiceClient } from ${JSON.stringify(clientModule)};
      const attempt = async (options) => {
        const dispatcher = createDispatcher(options);
        const client = new UpdateServiceClient({ baseUrl: new URL(${JSON.stringify(url.href)}), apiKey: 'k',
          dispatcher, userAgent: 'test', requestTimeoutMs: 10000 });
        const outcome = await client.getUploadJob('j1').then((job) => job.id, (e) => e.kind);
        await dispatcher.destroy();
        return outcome;
      };
      const direct = await attempt({ proxyFromEnv: false });
      const proxied = await attempt({ proxyFromEnv: true, env: { HTTPS_PROXY: ${JSON.stringify(proxyUrl.href)} } });
      console.log(JSON.stringify({ direct, proxied }));`;
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        { env: { PATH: process.env.PATH, NODE_TLS_REJECT_UNAUTHORIZED: '0' } },
      );
      expect(JSON.parse(stdout)).toEqual({ direct: 'tls', proxied: 'tls' });
    } finally {
      await closeAll(server, sockets);
      await closeAll(proxy, proxySockets);
    }
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
    // A CONNECT proxy that only ever tunnels to loopback: `service.test` (a name only it resolves), or
    // 127.0.0.1; any other host gets 403, and `auth.test` a 407 (credentials wanted).
    proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
      const [host, port] = (req.url ?? '').split(':');
      tunnels.push(req.url ?? '');
      if (host === 'auth.test') {
        return clientSocket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n',
        );
      }
      if (host !== '127.0.0.1' && host !== 'service.test') {
        return clientSocket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      }
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

  /** The target under a host name only the proxy knows: reachable through it alone. */
  const viaName = (host: string) => new URL(`http://${host}:${target.url.port}`);

  it('goes through HTTPS_PROXY / HTTP_PROXY given as env', async () => {
    tunnels.length = 0;
    const job = await getJobThrough(
      { proxyFromEnv: true, env: { HTTP_PROXY: proxyUrl.href, HTTPS_PROXY: proxyUrl.href } },
      viaName('service.test'),
    );
    expect(job.id).toBe('j1');
    expect(tunnels).toEqual([`service.test:${target.url.port}`]);
  });

  it('goes direct for a host in NO_PROXY', async () => {
    tunnels.length = 0;
    // service.test resolves nowhere but in the proxy: going direct, the look-up fails.
    const err = (await rejectionOf(
      getJobThrough(
        { proxyFromEnv: true, env: { http_proxy: proxyUrl.href, no_proxy: 'service.test' } },
        viaName('service.test'),
      ),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'network', code: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) });
    expect(tunnels).toEqual([]);
  });

  it.each(['127.0.0.1', 'localhost', '127.1.2.3'])(
    'never sends plain http to loopback (%s) through the proxy, even without NO_PROXY: the key would cross it in clear',
    async (host) => {
      tunnels.length = 0;
      target.seen.length = 0;
      const url = new URL(target.url);
      url.hostname = host;
      // 127.1.2.3 is loopback on Linux, but the target listens on 127.0.0.1 only: refused means direct.
      const attempt = getJobThrough(
        { proxyFromEnv: true, env: { HTTP_PROXY: proxyUrl.href, HTTPS_PROXY: proxyUrl.href } },
        url,
      );
      if (host === '127.1.2.3') {
        expect(await rejectionOf(attempt)).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
      } else {
        expect((await attempt).id).toBe('j1');
        expect(target.seen).toHaveLength(1);
      }
      expect(tunnels).toEqual([]);
    },
  );

  it('a proxy that answers CONNECT with 407: a clear error naming proxy credentials and NO_PROXY, no retry hint of "cancelled"', async () => {
    tunnels.length = 0;
    const err = (await rejectionOf(
      getJobThrough(
        { proxyFromEnv: true, env: { HTTPS_PROXY: proxyUrl.href } },
        new URL('https://auth.test'),
      ),
    )) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.kind).toBe('protocol');
    expect(err.message).toMatch(/proxy refused to open a tunnel .*407 Proxy Authentication Required/);
    expect(err.message).not.toMatch(/cancelled/);
    expect(err.hint).toMatch(/credentials.*HTTPS_PROXY.*NO_PROXY/);
    expect(err.maybeReceived).toBe(false);
    expect(tunnels).toEqual(['auth.test:443']);
  });

  it('a proxy that answers CONNECT with 403: a clear error naming the proxy rules and NO_PROXY', async () => {
    const err = (await rejectionOf(
      getJobThrough(
        { proxyFromEnv: true, env: { HTTPS_PROXY: proxyUrl.href } },
        new URL('https://elsewhere.test'),
      ),
    )) as ServiceError;
    expect(err.message).toMatch(/proxy refused .*403 Forbidden/);
    expect(err.hint).toMatch(/allows CONNECT.*NO_PROXY/);
  });

  it('goes direct when proxyFromEnv is off, whatever the env says', async () => {
    tunnels.length = 0;
    const job = await getJobThrough({ proxyFromEnv: false, env: { HTTP_PROXY: proxyUrl.href } }, target.url);
    expect(job.id).toBe('j1');
    expect(tunnels).toEqual([]);
  });
});
