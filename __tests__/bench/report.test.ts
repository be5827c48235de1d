// The bench's arithmetic: medians and the targets, PASS/FAIL at their boundaries.
import { describe, expect, it } from '@jest/globals';
import { shaExtensionsIn } from '../../scripts/bench/machine.js';
import { LIMITS, evaluateTargets, median, summarize, type Summary } from '../../scripts/bench/report.js';
import { MiB } from '../../src/common/bytes.js';

const GiB = 1024 * MiB;

function row(label: string, wallS: number, cpuSPerGiB = 1, maxRssMiB = 10): Summary {
  return { label, rounds: 3, wallS, mibPerS: 1024 / wallS, cpuSPerGiB, maxRssMiB, walls: [wallS] };
}

/** Figures that meet every target exactly at its limit. */
function atTheLimits() {
  return {
    shaExtensions: true,
    action: row('action', 4.5, 1.3 * 3, 64),
    curlLoop: row('curl loop', 10),
    md5sum: row('md5sum', 2.25),
    opensslMd5: row('openssl md5', 2, 2),
    opensslSha256: row('openssl sha256', 1, 1),
    memoryRuns: [row('8 MiB chunks', 5, 4, 64), row('4 GiB image', 18, 4, 64)],
    emptyRun: row('empty run', 0.2, 1, 60),
    bundleBytes: 1_500_000,
    requests: { chunks: 32, newName: 37 },
  };
}

type Inputs = ReturnType<typeof atTheLimits>;
const verdicts = (inputs: Inputs) => evaluateTargets(inputs).map((t) => t.pass);
/** The verdicts with only the target at `index` failing. */
const onlyFailing = (index: number) => verdicts(atTheLimits()).map((_pass, i) => i !== index);

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
  it('passes every target met exactly at its limit, and names each', () => {
    const targets = evaluateTargets(atTheLimits());
    expect(targets.map((t) => t.pass)).toEqual(Array(8).fill(true));
    expect(targets.map((t) => t.name)).toEqual([
      'peak RSS ≤ 64 MiB: 8 MiB chunks',
      'peak RSS ≤ 64 MiB: 4 GiB image',
      'empty run (1 MiB image) ≤ 60 MiB RSS',
      'bundle ≤ 1.5 MB',
      'wall ≤ 0.45 × curl loop (same chunk size)',
      'wall ≤ 2 × md5sum (set for SHA-extension machines)',
      'CPU ≤ 1.3 × openssl MD5 + SHA-256 floor',
      'requests for a new-name publish ≤ N + 5 (N = 32 chunks)',
    ]);
  });

  it('fails each target just past its limit, and only that one', () => {
    const base = atTheLimits();
    const over = (summary: Summary, field: 'maxRssMiB' | 'wallS' | 'cpuSPerGiB', by: number) => ({
      ...summary,
      [field]: summary[field] + by,
    });
    const [first, second] = base.memoryRuns as [Summary, Summary];
    expect(verdicts({ ...base, memoryRuns: [over(first, 'maxRssMiB', 0.5), second] })).toEqual(
      onlyFailing(0),
    );
    expect(verdicts({ ...base, memoryRuns: [first, over(second, 'maxRssMiB', 0.5)] })).toEqual(
      onlyFailing(1),
    );
    expect(verdicts({ ...base, emptyRun: over(base.emptyRun, 'maxRssMiB', 0.5) })).toEqual(onlyFailing(2));
    expect(verdicts({ ...base, bundleBytes: LIMITS.bundleBytes + 1 })).toEqual(onlyFailing(3));
    expect(verdicts({ ...base, curlLoop: over(base.curlLoop, 'wallS', -0.1) })).toEqual(onlyFailing(4));
    expect(verdicts({ ...base, md5sum: over(base.md5sum, 'wallS', -0.01) })).toEqual(onlyFailing(5));
    expect(verdicts({ ...base, action: over(base.action, 'cpuSPerGiB', 0.01) })).toEqual(onlyFailing(6));
    expect(verdicts({ ...base, requests: { chunks: 32, newName: 38 } })).toEqual(onlyFailing(7));
  });

  it('says so when the md5sum target is judged on a machine without SHA extensions', () => {
    const detail = (shaExtensions: boolean) =>
      evaluateTargets({ ...atTheLimits(), shaExtensions })[5]!.detail;
    expect(detail(false)).toMatch(/no SHA extensions/);
    expect(detail(true)).not.toMatch(/SHA/);
  });
});

describe('shaExtensionsIn', () => {
  it('finds sha_ni in x86 flags and sha2 in Arm features, and nothing else', () => {
    expect(shaExtensionsIn('processor\t: 0\nflags\t\t: fpu sse2 avx2 sha_ni rdpid\n')).toBe(true);
    expect(shaExtensionsIn('processor\t: 0\nFeatures\t: fp asimd aes pmull sha1 sha2 crc32\n')).toBe(true);
    expect(shaExtensionsIn('flags\t\t: fpu sse2 avx2 sha_nix\nmodel name\t: sha_ni lookalike\n')).toBe(false);
    expect(shaExtensionsIn('Features\t: fp asimd sha1\n')).toBe(false);
    expect(shaExtensionsIn('')).toBe(false);
  });
});
