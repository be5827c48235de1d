// request-timeout is a stall timeout, not a wall-clock cap: a chunk that takes longer than the timeout
// to cross a slow link, bytes moving all along, goes through on its first attempt; one that stops moving
// is abandoned after the timeout (the hang rows of the fault table).
import { describe, expect, it } from '@jest/globals';
import { seededBytes } from '../../scripts/lib/prng.js';

import { rigForSuite } from '../support/suite.js';
import { MiB } from '../../src/common/bytes.js';

const TIMEOUT_MS = 2500;

const rig = rigForSuite();

describe('request-timeout', () => {
  it('does not cut off a 32 MiB chunk that takes 4 s, longer than the timeout, at 8 MiB/s', async () => {
    // Granularity: the client sees progress when the socket takes more bytes, so what the OS buffers
    // (send buffer plus the receiver's auto-tuned window, up to tens of MiB on loopback) must drain within
    // the timeout: here up to 20 MiB.
    rig.emulator.setShaping({ bandwidthBytesPerSec: 8 * MiB });
    const data = seededBytes(32 * MiB + 5, 3);
    const firstEvent = rig.emulator.events.length;
    const call = rig.publish(
      { imagePath: await rig.image(data), name: 'slow-link', chunkSize: 32 * MiB },
      { requestTimeoutMs: TIMEOUT_MS },
    );
    const result = await call.finally(() => rig.emulator.setShaping(undefined));

    expect(call.run.logger.lines.filter((l) => l.includes('retrying'))).toEqual([]);
    expect(result.retryCount).toBe(0);
    expect(result.timeline.map((t) => t.attempts)).toEqual([1, 1]);
    expect((await rig.emulator.state.imageBytes(result.firmwareImageId!)).equals(data)).toBe(true);
    // The pacing makes the first chunk's request last at least 4 s (a lower bound: a slow machine only adds).
    const events = rig.emulator.events.slice(firstEvent);
    const sent = events.find((e) => e.type === 'request' && e.operation === 'append-chunk')!;
    const stored = events.find((e) => e.type === 'chunk-stored' && e.chunkId === 1)!;
    expect(stored.time - sent.time).toBeGreaterThan(TIMEOUT_MS);
  });
});
