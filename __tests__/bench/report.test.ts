// The bench's arithmetic: medians and the targets, PASS/FAIL at their boundaries.
import { describe, expect, it } from '@jest/globals';
import { evaluateTargets, median, summarize, type Summary } from '../../scripts/bench/report.js';
import { MiB } from '../../src/common/bytes.js';

const GiB = 1024 * MiB;

function row(label: string, wallS: number, cpuSPerGiB = 1, maxRssMiB = 10): Summary {
  return { label, rounds: 3, wallS, mibPerS: 1024 / wallS, cpuSPerGiB, maxRssMiB, walls: [wallS] };
}

/** Figures that meet every target exactly at its limit. */
function atTheLimits() {
  return {
    action: row('action', 4, 1.3 * 3, 3 * 32 + 96),
    curlLoop: row('curl loop', 8),
    md5sum: row('md5sum', 2),
    opensslMd5: row('openssl md5', 2, 2),
    opensslSha256: row('openssl sha256', 1, 1),
    chunkSize: 32 * MiB,
  };
}

const verdicts = (inputs: Parameters<typeof evaluateTargets>[0]) =>
  evaluateTargets(inputs).map((t) => t.pass);

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarize', () => {
  it('turns runs into per-GiB medians', () => {
    const runs = [
      { wallS: 4, userS: 6, sysS: 2, maxRssKiB: 100 * 1024 },
      { wallS: 2, userS: 3, sysS: 1, maxRssKiB: 120 * 1024 },
      { wallS: 3, userS: 4, sysS: 2, maxRssKiB: 110 * 1024 },
    ];
    const summary = summarize('action', runs, 2 * GiB);
    expect(summary.wallS).toBe(3);
    expect(summary.mibPerS).toBeCloseTo(2048 / 3);
    expect(summary.cpuSPerGiB).toBe(3); // median CPU 6 s over 2 GiB
    expect(summary.maxRssMiB).toBe(110);
  });
});

describe('evaluateTargets', () => {
  it('passes every target met exactly at its limit', () => {
    expect(verdicts(atTheLimits())).toEqual([true, true, true, true]);
  });

  it('fails each target just past its limit, and only that one', () => {
    const base = atTheLimits();
    const slower = { ...base, curlLoop: row('curl loop', 7.9), md5sum: row('md5sum', 2) };
    expect(verdicts(slower)).toEqual([false, true, true, true]);
    expect(verdicts({ ...base, md5sum: row('md5sum', 1.99) })).toEqual([true, false, true, true]);
    expect(verdicts({ ...base, action: { ...base.action, maxRssMiB: 193 } })).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(verdicts({ ...base, action: { ...base.action, cpuSPerGiB: 3.91 } })).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('adds the flat-memory target when a larger image was measured', () => {
    const base = atTheLimits();
    const larger = (rss: number) => ({ summary: { ...base.action, maxRssMiB: rss }, imageSize: 4 * GiB });
    expect(evaluateTargets({ ...base, larger: larger(192 * 1.09) })[4]?.pass).toBe(true);
    expect(evaluateTargets({ ...base, larger: larger(192 * 1.11) })[4]?.pass).toBe(false);
  });
});
