import { Agent, Dispatcher, EnvHttpProxyAgent } from 'undici';
import { isLoopbackHost } from '../common/loopback.js';

export interface DispatcherOptions {
  /** Route through HTTPS_PROXY / HTTP_PROXY (honouring NO_PROXY) when `env` sets them. */
  proxyFromEnv: boolean;
  /** The environment to read proxy settings from; passed in so this module never reads process.env. */
  env?: Record<string, string | undefined>;
}

function pick(env: Record<string, string | undefined>, name: string): string | undefined {
  // Lower case first, as curl and undici do.
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
}

/**
 * Set explicitly on every connection (direct, to the proxy, and through the tunnel): left undefined,
 * Node's tls.connect takes it from NODE_TLS_REJECT_UNAUTHORIZED, and `0` there would switch checks off.
 */
const VERIFY_TLS = { rejectUnauthorized: true } as const;

/** A plain-http loopback origin: the key travels in clear text, so it must not leave the machine. */
function isPlainLoopback(origin: string | URL | undefined): boolean {
  if (origin === undefined) return false;
  const url = new URL(origin);
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

/** Sends plain-http loopback requests on a direct agent, everything else through the proxy agent. */
class LoopbackDirect extends Dispatcher {
  constructor(
    private readonly direct: Dispatcher,
    private readonly proxied: Dispatcher,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return (isPlainLoopback(options.origin) ? this.direct : this.proxied).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all([this.direct.close(), this.proxied.close()]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(
    errOrCallback?: Error | null | (() => void),
    maybeCallback?: () => void,
  ): Promise<void> | void {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const callback = typeof errOrCallback === 'function' ? errOrCallback : maybeCallback;
    const done = Promise.all([this.direct.destroy(err), this.proxied.destroy(err)]).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }
}

/**
 * The HTTP dispatcher for the service client. Uploads are strictly sequential, so one kept-alive
 * connection is enough. TLS verification is always on (VERIFY_TLS); extra CAs come from
 * NODE_EXTRA_CA_CERTS, which Node folds into the default trust store that undici's connector uses when
 * no `ca` is given. A plain-http loopback api-host (a local emulator) never goes through a proxy, even
 * with HTTP_PROXY set and no NO_PROXY: the key would cross the proxy in clear text.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const agentOptions = { connections: 1, pipelining: 1, connect: VERIFY_TLS };
  const env = opts.env ?? {};
  const httpsProxy = pick(env, 'https_proxy');
  const httpProxy = pick(env, 'http_proxy');
  if (!opts.proxyFromEnv || (!httpsProxy && !httpProxy)) return new Agent(agentOptions);
  // Empty strings (not undefined) so EnvHttpProxyAgent never falls back to reading process.env itself.
  const proxied = new EnvHttpProxyAgent({
    ...agentOptions,
    requestTls: VERIFY_TLS,
    proxyTls: VERIFY_TLS,
    httpsProxy: httpsProxy ?? '',
    httpProxy: httpProxy ?? '',
    noProxy: pick(env, 'no_proxy') ?? '',
  });
  return new LoopbackDirect(new Agent(agentOptions), proxied);
}
