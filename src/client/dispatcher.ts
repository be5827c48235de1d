import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';

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
 * The HTTP dispatcher for the service client. Uploads are strictly sequential, so one kept-alive
 * connection is enough. TLS verification is always on; extra CAs come from NODE_EXTRA_CA_CERTS, which
 * Node folds into the default trust store that undici's connector uses when no `ca` is given.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const agentOptions = { connections: 1, pipelining: 1 };
  const env = opts.env ?? {};
  const httpsProxy = pick(env, 'https_proxy');
  const httpProxy = pick(env, 'http_proxy');
  if (!opts.proxyFromEnv || (!httpsProxy && !httpProxy)) return new Agent(agentOptions);
  // Empty strings (not undefined) so EnvHttpProxyAgent never falls back to reading process.env itself.
  return new EnvHttpProxyAgent({
    ...agentOptions,
    httpsProxy: httpsProxy ?? '',
    httpProxy: httpProxy ?? '',
    noProxy: pick(env, 'no_proxy') ?? '',
  });
}
