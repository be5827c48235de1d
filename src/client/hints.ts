// What to do about the client's failures, as data (src/common/hint.ts): each entry point names the
// inputs in its own terms. Every hint here is rendered in both vocabularies by __tests__/app/hints.test.ts.
import { hint, input, setting, theInput, type Hint } from '../common/hint.js';
import type { ServiceErrorInit } from './errors.js';

const REGIONS = 'https://api.us-east-1.mbedcloud.com or https://api.ap-northeast-1.mbedcloud.com';

export const CLIENT_HINTS = {
  quota: hint`the account has reached its firmware image quota (10 on a free account): delete old firmware images, or use ${setting('on-conflict', 'reuse')} to avoid new ones on re-runs`,
  // Accounts live in one region: a valid key sent to another region's host is a 401 too.
  unauthorized: hint`check ${theInput('api-key')}: it must be a valid, unexpired access key (ak_…) of the region ${input('api-host')} points to (${REGIONS})`,
  forbidden: hint`check ${theInput('api-key')} and that the key's account (and its policies) has access to firmware images`,
  notFound: hint`check ${input('api-host')} (the region of the account) and that the upload job or firmware image was not deleted`,
  nameTaken: hint`the name is already used by an upload job or firmware image: set another ${input('name')}, or ${setting('on-conflict', 'reuse')} or ${setting('on-conflict', 'suffix')}`,
  tooLarge: hint`the request is larger than the service accepts: lower ${input('chunk-size')} (at most 100 MiB)`,
  rateLimited: hint`the service is rate-limiting requests: raise ${input('retries')}, or run fewer uploads at once`,
  certificateName: hint`the certificate does not match the host name: check ${input('api-host')}`,
  privateCa: hint`if a corporate proxy or private CA signs TLS here, point NODE_EXTRA_CA_CERTS at its CA certificate (PEM file)`,
  unknownHost: hint`check ${input('api-host')} (e.g. https://api.us-east-1.mbedcloud.com for the account's region), DNS, and HTTPS_PROXY if the runner needs a proxy`,
  refused: hint`nothing accepts connections there: check ${input('api-host')} (host and port) and HTTPS_PROXY`,
  stalled: hint`the connection stalled: check the network, or raise ${input('request-timeout')}`,
  redirected: hint`the host redirected: ${input('api-host')} is likely wrong; use the API host (e.g. https://api.us-east-1.mbedcloud.com), not the portal`,
  proxyCredentials: hint`the proxy asks for credentials: put them in the proxy URL (HTTPS_PROXY=http://user:password@proxy:port), or add the ${input('api-host')} host to NO_PROXY if it should be reached directly`,
  proxyRefused: hint`check that the proxy (HTTPS_PROXY) allows CONNECT to the ${input('api-host')} host and port, or add the host to NO_PROXY if it should be reached directly`,
  notTheApi: hint`the answer does not follow the Update Service API: check that ${input('api-host')} is the API host (e.g. https://api.us-east-1.mbedcloud.com) and not a proxy or another service`,
};

/** The advice an error status carries by itself. */
const HINT_FOR_STATUS: Partial<Record<number, Hint>> = {
  401: CLIENT_HINTS.unauthorized,
  403: CLIENT_HINTS.forbidden,
  404: CLIENT_HINTS.notFound,
  409: CLIENT_HINTS.nameTaken,
  413: CLIENT_HINTS.tooLarge,
  429: CLIENT_HINTS.rateLimited,
};

/** What to do about an HTTP error status (the service's text tells a quota from another 400/403). */
export function httpHint(status: number, serviceText: string): Hint | undefined {
  if (
    (status === 400 || status === 403) &&
    /quota|limit exceeded|too many (firmware )?images/i.test(serviceText)
  ) {
    return CLIENT_HINTS.quota;
  }
  return HINT_FOR_STATUS[status];
}

/** What to do about a transport failure (TLS, DNS, refused, stalled, redirected), by kind and code. */
export function transportHint(init: Pick<ServiceErrorInit, 'kind' | 'code' | 'status'>): Hint | undefined {
  switch (init.kind) {
    case 'tls':
      return init.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? CLIENT_HINTS.certificateName
        : CLIENT_HINTS.privateCa;
    case 'network':
      if (init.code === 'ENOTFOUND' || init.code === 'EAI_AGAIN') {
        return CLIENT_HINTS.unknownHost;
      }
      if (init.code === 'ECONNREFUSED') return CLIENT_HINTS.refused;
      return undefined;
    case 'timeout':
      return CLIENT_HINTS.stalled;
    case 'protocol':
      return init.status !== undefined && init.status >= 300 && init.status < 400
        ? CLIENT_HINTS.redirected
        : undefined;
    default:
      return undefined;
  }
}
