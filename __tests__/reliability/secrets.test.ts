// The access key never leaves the process in anything a person or a log can read: not with debug on, not
// when the service echoes the request headers (Authorization included) into its error bodies, and not to
// another server: a redirect is never followed, so the Authorization header never travels on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { actionInputs, bundledSuite, errorLines, expectKeyNowhere } from '../support/bundled-action.js';
import { MiB } from '../../src/common/bytes.js';

const suite = bundledSuite({
  image: { size: 5 * MiB + 3, seed: 23 }, // two chunks
  env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' },
});
const { emulator } = suite;

const run = (apiHost: string, name: string) => suite.run({ inputs: actionInputs(apiHost, name) });

describe('with debug logging on and a service that echoes the request headers', () => {
  it('a retried 503 and a failing 400 both echo Authorization: the key appears nowhere', async () => {
    const echo = (status: number) => ({ type: 'status' as const, status, echoHeaders: true });
    emulator.faults.add({
      operation: 'create-job',
      nth: emulator.callCount('create-job') + 1,
      fault: echo(503),
    });
    emulator.faults.add({
      operation: 'append-chunk',
      nth: emulator.callCount('append-chunk') + 2,
      fault: echo(400),
    });
    const result = await run(emulator.url, 'echoed');
    emulator.faults.clear();

    expect(result.exitCode).toBe(1);
    // The echoes did reach the log (debug lines, the retry, the failure), with the key scrubbed out.
    expect(result.stdout).toMatch(/^::debug::/m);
    expect(result.stdout).toMatch(/retrying create upload job .*503 .*request headers: .*authorization/);
    expect(errorLines(result)).toEqual([
      expect.stringMatching(/append chunk 2 of 2 failed: 400 .*request headers/),
    ]);
    expect(result.stdout).toContain('Bearer ***');
    expect(result.summary).toContain('400');
    expectKeyNowhere(result);
  });

  it('a successful run with debug on: the key appears nowhere either', async () => {
    const result = await run(emulator.url, 'debug-success');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^::debug::/m);
    expectKeyNowhere(result);
  });
});

describe('a redirect', () => {
  let redirector: Server;
  let elsewhere: Server;
  const seenElsewhere: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const listen = async (server: Server) => {
    server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };

  beforeAll(async () => {
    elsewhere = createServer((req, res) => {
      seenElsewhere.push(req);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const elsewherePort = await listen(elsewhere);
    redirector = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${elsewherePort}${req.url}` }).end();
    });
    await listen(redirector);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all([redirector, elsewhere].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('is not followed: the other server sees no request, and the run fails naming api-host', async () => {
    const { port } = redirector.address() as AddressInfo;
    const result = await run(`http://127.0.0.1:${port}`, 'redirected');
    expect(result.exitCode).toBe(1);
    expect(errorLines(result)).toEqual([expect.stringMatching(/redirect.*`api-host`/)]);
    expect(seenElsewhere).toEqual([]);
    expectKeyNowhere(result);
  });
});
