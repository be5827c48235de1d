import { randomBytes } from 'node:crypto';

let lastMicros = 0;
let sequence = 0;

/**
 * Current time in microseconds, strictly increasing, so that timestamps (and the etags made of them)
 * differ between two updates within the same millisecond, as the live service's do.
 */
function nowMicros(): number {
  const micros = Date.now() * 1000 + Math.floor((performance.now() * 1000) % 1000);
  lastMicros = Math.max(micros, lastMicros + 1);
  return lastMicros;
}

/** RFC 3339 with microseconds, as the service writes them: `2018-08-31T10:49:41.736515Z`. */
export function timestamp(): string {
  const micros = nowMicros();
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // ...T10:49:41.736Z
  return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z`;
}

/**
 * 32 lowercase hex characters. Like the service's ids they start with the creation time and a sequence
 * number, so they sort in creation order (which `after` paging relies on).
 */
export function newId(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  sequence = (sequence + 1) % 0x1000000;
  return time + sequence.toString(16).padStart(6, '0') + randomBytes(7).toString('hex');
}

export const ID_PATTERN = /^[0-9a-f]{32}$/;
