const MASK = '***';

/**
 * The key's base64 as it shows inside any longer base64 text (e.g. of `Authorization: Bearer <key>`):
 * for each of the 3 byte alignments, only the characters that depend on key bytes alone.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length) - 6) / 6);
    const core = encoded.slice(first, last + 1);
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

/** Line breaks (raw, or escaped as in JSON text) and indentation that a hard-wrapped echo puts in. */
const BREAK = String.raw`(?:\s|\\[nrt])*`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches `form` with any line breaks or whitespace between its characters. */
function splitTolerant(form: string): string {
  return [...form].map(escapeRegExp).join(BREAK);
}

const patterns = new Map<string, RegExp>();

/** A key this short would mask ordinary words; no real access key is (they are ak_ + 32 hex digits and more). */
const MIN_SPLIT_MATCH = 8;

function patternFor(secret: string): RegExp {
  let pattern = patterns.get(secret);
  if (!pattern) {
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      ...base64Forms(secret).filter((form) => form.length >= MIN_SPLIT_MATCH),
    ]);
    const alternatives = [...forms]
      .sort((a, b) => b.length - a.length)
      .map((form) => (form.length >= MIN_SPLIT_MATCH ? splitTolerant(form) : escapeRegExp(form)));
    pattern = new RegExp(alternatives.join('|'), 'g');
    patterns.clear(); // one key per run: keep just the latest
    patterns.set(secret, pattern);
  }
  return pattern;
}

/**
 * Removes every occurrence of `secret` from text that came back from the server (or from a library), so
 * an echoed Authorization header cannot leak it. Covered: the key as is, URL-encoded, JSON-escaped, and
 * base64-encoded (standard and URL-safe alphabets, at any alignment inside a longer base64 text); each of
 * these also when split across lines (raw or `\n`-escaped line breaks, indentation) as a hard-wrapped
 * echo or MIME base64 splits it. Not covered: other encodings (hex, quoted-printable), or a key split by
 * other characters than whitespace.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.replace(patternFor(secret), MASK);
}
