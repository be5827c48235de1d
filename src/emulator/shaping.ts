// Wide-area link modelling: latency per response, and a bandwidth cap per request body / response body.
import { setTimeout as sleepFor } from 'node:timers/promises';
import { parseSize } from '../common/bytes.js';
import type { Shaping } from './types.js';

/** Pieces are cut to at most this size so that a low bandwidth is kept smoothly, not in bursts. */
const PACE_SLICE_BYTES = 64 * 1024;

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleepFor(ms, undefined, { signal });
}

/** Passes `source` through no faster than `shaping.bandwidthBytesPerSec` (unchanged when unset). */
export async function* paced(
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
  shaping: Shaping,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  const rate = shaping.bandwidthBytesPerSec;
  if (!rate || rate <= 0) {
    yield* source;
    return;
  }
  const started = performance.now();
  let bytes = 0;
  for await (const piece of source) {
    for (let offset = 0; offset < piece.length; offset += PACE_SLICE_BYTES) {
      const slice =
        piece.length <= PACE_SLICE_BYTES ? piece : piece.subarray(offset, offset + PACE_SLICE_BYTES);
      yield slice;
      bytes += slice.length;
      const ahead = (bytes / rate) * 1000 - (performance.now() - started);
      if (ahead > 0) await sleep(ahead, signal);
    }
  }
}

/** '100MiB', '1.5 MB', '12500000', '100MiB/s' → bytes per second (parseSize, the inputs' parser). */
export function parseBandwidth(text: string): number {
  let value = NaN;
  try {
    value = parseSize(text.trim().replace(/\/s$/i, ''));
  } catch {
    // reported below, in the emulator's own words
  }
  if (!(value > 0))
    throw new Error(`bandwidth '${text}' is not a rate: use bytes per second, e.g. 12500000 or 100MiB`);
  return value;
}
