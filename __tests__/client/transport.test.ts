// The stall timeout, cancellation and transport failures, over real sockets on 127.0.0.1.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from '../../src/client/errors.js';
import { clientFor, rejectionOf } from '../support/loopback.js';
import { loopbackForSuite } from '../support/suite.js';
import { MiB } from '../../src/common/bytes.js';

const JOB_ID = '0123456789abcdef0123456789abcdef';
const MD5 = 'AAAAAAAAAAAAAAAAAAAAAA==';

const server = loopbackForSuite();
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function client(opts: Parameters<typeof clientFor>[1] = {}) {
  const made = clientFor(server.url, opts);
  closers.push(made.close);
  return made.client;
}

describe('stall timeout', () => {
  it('times out when the server stops reading mid-body, and says the body may have arrived', async () => {
    let received = 0;
    server.raw((req) => {
      req.once('data', (chunk: Buffer) => {
        received += chunk.length;
        req.pause(); // never reads again, never answers
      });
    });
    // Larger than the OS socket buffers (a few MiB), so the client is left unable to write.
    const body = Buffer.alloc(12 * MiB);
    const err = (await rejectionOf(
      client({ requestTimeoutMs: 200 }).appendChunk(JOB_ID, body, MD5),
    )) as ServiceError;
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ kind: 'timeout', maybeReceived: true });
    expect(err.message).toMatch(/append chunk failed: no bytes moved for 0\.2 s/);
    expect(err.hint).toMatch(/request-timeout/);
    expect(received).toBeLessThan(body.length);
  });

  it('times out when the server takes the body but never answers', async () => {
    // Awaited after the failure: the server may see the bytes only after the client gave up.
    const bodyBytes = new Promise<number>((resolve) =>
      server.raw((req) => {
        let n = 0;
        req.on('data', (chunk: Buffer) => (n += chunk.length));
        req.on('end', () => resolve(n));
      }),
    );
    const body = Buffer.alloc(64 * 1024, 1);
    const err = (await rejectionOf(
      client({ requestTimeoutMs: 200 }).appendChunk(JOB_ID, body, MD5),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'timeout', maybeReceived: true });
    expect(await bodyBytes).toBe(body.length);
  });

  it('times out a read that never answers', async () => {
    server.raw(() => {});
    const err = (await rejectionOf(client({ requestTimeoutMs: 200 }).getUploadJob(JOB_ID))) as ServiceError;
    expect(err.kind).toBe('timeout');
  });

  it('times out a response body that stops arriving', async () => {
    server.raw((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"id":');
    });
    const err = (await rejectionOf(client({ requestTimeoutMs: 200 }).getUploadJob(JOB_ID))) as ServiceError;
    expect(err.kind).toBe('timeout');
  });

  it('does not cut off a large body read slowly but continuously, though it takes longer than the timeout', async () => {
    // The server reads at a steady 16 MiB/s (paced against the wall clock, so timer lag does not slow it):
    // 24 MiB take 1.5 s, longer than the 1 s stall timeout, while bytes never stop moving for long.
    // The OS buffers ~4 MiB that the client cannot see draining: 0.25 s at this pace, well inside 1 s.
    const bytesPerMs = (16 * MiB) / 1000;
    server.raw((req, res) => {
      const started = Date.now();
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        const aheadMs = received / bytesPerMs - (Date.now() - started);
        if (aheadMs > 0) {
          req.pause();
          setTimeout(() => req.resume(), aheadMs);
        }
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 1, length: received, hash: 'x' }));
      });
    });
    const body = Buffer.alloc(24 * MiB, 2);
    const chunk = await client({ requestTimeoutMs: 1000 }).appendChunk(JOB_ID, body, MD5);
    expect(chunk.length).toBe(body.length);
  });
});

describe('cancellation', () => {
  it('aborting ends the request in flight at once', async () => {
    const controller = new AbortController();
    server.raw((req) => {
      req.resume();
      req.on('end', () => controller.abort(new Error('cancelled by the test')));
    });
    const err = (await rejectionOf(
      client({ signal: controller.signal, requestTimeoutMs: 60_000 }).appendChunk(
        JOB_ID,
        Buffer.alloc(1000),
        MD5,
      ),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'aborted', maybeReceived: true });
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    server.seen.length = 0;
    const err = (await rejectionOf(
      client({ signal: controller.signal }).getUploadJob(JOB_ID),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'aborted', maybeReceived: false });
    await sleep(20);
    expect(server.seen).toHaveLength(0);
  });
});

describe('transport failures', () => {
  it('connection refused: a network error that surely did not reach the service', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const made = clientFor(new URL(`http://127.0.0.1:${port}`));
    closers.push(made.close);
    const err = (await rejectionOf(made.client.appendChunk(JOB_ID, Buffer.alloc(10), MD5))) as ServiceError;
    expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', maybeReceived: false });
    expect(err.hint).toMatch(/api-host/);
  });

  it('a reset after the body was sent: the chunk may have landed', async () => {
    server.raw((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    const err = (await rejectionOf(
      client().appendChunk(JOB_ID, Buffer.alloc(300 * 1024), MD5),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'network', maybeReceived: true });
    expect(err.message).toMatch(/^append chunk failed: network error/);
  });

  it('a reset on the empty completing chunk may have completed the job', async () => {
    server.raw((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    const err = (await rejectionOf(
      client().appendChunk(JOB_ID, Buffer.alloc(0), MD5, 'complete job'),
    )) as ServiceError;
    expect(err).toMatchObject({ kind: 'network', maybeReceived: true, operation: 'complete job' });
  });
});
