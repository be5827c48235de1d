// GET of a file the service stores at a URL it hands out (a manifest's `datafile`), which may be another
// host than the API (the service's media bucket): the API's dispatcher (proxy, TLS checks) and stall
// timeout, but never the key, and plain http only to a loopback host (as for the api-host).
import { isLoopbackHost } from '../common/loopback.js';
import { cleanServerText } from './errors.js';
import { exchange, type IncomingResponse, type TransportContext } from './transport.js';
import { protocolError } from './validate.js';

export interface FileRequest {
  operation: string;
  url: string;
  userAgent: string;
  /** The most the file can be; a longer answer is refused, not read on. */
  maxBytes: number;
}

export async function downloadFile(api: TransportContext, file: FileRequest): Promise<IncomingResponse> {
  const { operation, url } = file;
  const target = URL.canParse(url) ? new URL(url) : undefined;
  const allowed =
    target?.protocol === 'https:' || (target?.protocol === 'http:' && isLoopbackHost(target.hostname));
  if (!target || !allowed) {
    const shown = cleanServerText(url, api.secret);
    throw protocolError(
      operation,
      `the file's URL "${shown}" is not https (plain http only to loopback)`,
      false,
    );
  }
  return exchange({ ...api, origin: target.origin }, operation, {
    method: 'GET',
    path: `${target.pathname}${target.search}`,
    headers: { 'user-agent': file.userAgent, accept: 'application/octet-stream' },
    maxResponseBytes: file.maxBytes,
  });
}
