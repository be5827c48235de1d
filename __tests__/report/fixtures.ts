// A PublishResult as the uploader returns it, for the report tests to vary.
import type { PublishResult } from '../../src/uploader/types.js';
import { MiB } from '../../src/common/bytes.js';

export function sampleResult(overrides: Partial<PublishResult> = {}): PublishResult {
  return {
    outcome: 'uploaded',
    name: 'firmware.bin-v1.2.3',
    firmwareImageId: '0165a1b2c3d4e5f60718293a4b5c6d7e',
    datafileUrl: 'https://example.invalid/firmware/firmware.bin',
    shortDatafileUrl: 'https://example.invalid/s/abc',
    datafileChecksum: 'a'.repeat(64),
    datafileSize: 11 * MiB,
    uploadJobId: '0165ffffffffffffffffffffffffffff',
    chunkCount: 3,
    chunksSent: 3,
    chunksResumed: 0,
    retryCount: 0,
    durationMs: 2500,
    warnings: [],
    timeline: [
      { index: 1, length: 5 * MiB, startMs: 0, durationMs: 1000, attempts: 1, skipped: false },
      { index: 2, length: 5 * MiB, startMs: 1000, durationMs: 1000, attempts: 1, skipped: false },
      { index: 3, length: MiB, startMs: 2000, durationMs: 200, attempts: 1, skipped: false },
    ],
    plan: { chunkSize: 5 * MiB, count: 3, lastChunkSize: MiB, meetsMinimumRule: true },
    ...overrides,
  };
}
