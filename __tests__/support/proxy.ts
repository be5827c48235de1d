// A real forward proxy for tests: Debian's tinyproxy on a loopback port with a generated config. Its
// outgoing connections leave from 127.0.0.3, so a server can tell a proxied request (peer 127.0.0.3) from a
// direct one (peer 127.0.0.1). .ci/run installs tinyproxy; tests skip with a message when it is missing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The address the proxy's connections to the target come from. */
export const PROXY_OUTGOING_ADDRESS = '127.0.0.3';

export function tinyproxyAvailable(): boolean {
  return spawnSync('tinyproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

export interface TestProxy {
  url: string;
  /** The proxy's log so far (one line per connection and request it handled). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startTinyproxy(): Promise<TestProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'tinyproxy-'));
  const port = await freeLoopbackPort();
  const logFile = join(dir, 'tinyproxy.log');
  // No ConnectPort line: CONNECT (undici tunnels even plain http through a proxy) to any port is allowed.
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    `Bind ${PROXY_OUTGOING_ADDRESS}`,
    'Allow 127.0.0.1',
    'Timeout 120',
    'MaxClients 20',
    `LogFile "${logFile}"`,
    'LogLevel Connect',
    `PidFile "${join(dir, 'tinyproxy.pid')}"`,
  ];
  await writeFile(join(dir, 'tinyproxy.conf'), `${config.join('\n')}\n`);
  // -d: stay in the foreground, so the child is the proxy and stopping it is killing this one process.
  const child = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; !(await accepts(port)); i++) {
    if (i === 100 || child.exitCode !== null) {
      child.kill();
      throw new Error(
        `tinyproxy did not start on 127.0.0.1:${port}: ${await readFile(logFile, 'utf8').catch(() => '')}`,
      );
    }
    await delay(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
