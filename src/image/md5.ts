import { createHash } from 'node:crypto';

/** The 16 raw bytes of the MD5 digest. */
export function md5(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

/** RFC 1864 Content-MD5: base64 of the raw digest (never of the hex string). */
export function md5Base64(data: Uint8Array): string {
  return md5(data).toString('base64');
}

export function md5Hex(data: Uint8Array): string {
  return md5(data).toString('hex');
}

/**
 * Whether the service's chunk hash names the same MD5 as ours. The guide shows hex, the contract's
 * example base64: accept either (hex in any case).
 */
export function hashMatches(serviceHash: string, md5Raw: Buffer): boolean {
  const text = serviceHash.trim();
  if (/^[0-9a-f]{32}$/i.test(text)) return text.toLowerCase() === md5Raw.toString('hex');
  return text === md5Raw.toString('base64');
}
