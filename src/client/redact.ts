const MASK = '***';

/**
 * Removes every occurrence of `secret` from text that came back from the server (or from a library),
 * including its URL-encoded and JSON-escaped forms, so an echoed Authorization header cannot leak it.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  let out = text;
  for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
    out = out.split(form).join(MASK);
  }
  return out;
}
