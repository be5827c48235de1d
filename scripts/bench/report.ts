// Medians, the results table and the targets, PASS/FAIL.
import { GiB, MiB } from '../../src/common/bytes.js';
import { cpuSeconds, type Usage } from './measure.js';

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Summary {
  label: string;
  rounds: number;
  wallS: number;
  mibPerS: number;
  cpuSPerGiB: number;
  maxRssMiB: number;
  walls: number[];
}

/** Medians of each figure over the rounds (each figure on its own, as the targets compare them). */
export function summarize(label: string, runs: Usage[], imageSize: number): Summary {
  const wallS = median(runs.map((r) => r.wallS));
  return {
    label,
    rounds: runs.length,
    wallS,
    mibPerS: imageSize / MiB / wallS,
    cpuSPerGiB: median(runs.map(cpuSeconds)) / (imageSize / GiB),
    maxRssMiB: median(runs.map((r) => r.maxRssKiB)) / 1024,
    walls: runs.map((r) => r.wallS),
  };
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function formatTable(rows: Summary[]): string {
  const header = ['contestant', 'wall (median)', 'MiB/s', 'CPU s/GiB', 'peak RSS MiB', 'wall per round'];
  const lines = rows.map((r) => [
    r.label,
    `${fixed(r.wallS, 2)} s`,
    fixed(r.mibPerS, 0),
    fixed(r.cpuSPerGiB, 2),
    fixed(r.maxRssMiB, 0),
    r.walls.map((w) => fixed(w, 2)).join(' / '),
  ]);
  const table = [header, header.map(() => '---'), ...lines];
  return table.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

export interface TargetInputs {
  /** On a machine without SHA extensions SHA-256 costs ~3×: the md5sum target is set for machines with them. */
  shaExtensions: boolean;
  /** The action at the default chunk size on the comparison image, and the contestants beside it. */
  action: Summary;
  curlLoop: Summary;
  md5sum: Summary;
  opensslMd5: Summary;
  opensslSha256: Summary;
  /** Every action run whose memory the flat-memory target covers (chunk sizes, image sizes). */
  memoryRuns: Summary[];
  /** The action on a 1 MiB image. */
  emptyRun: Summary;
  bundleBytes: number;
  requests: { chunks: number; newName: number };
}

// The targets (#13; 2-core machine, emulator on the same cores).
export const LIMITS = {
  peakRssMiB: 64,
  emptyRunRssMiB: 60,
  bundleBytes: 1.5e6,
  wallVsCurlLoop: 0.45,
  wallVsMd5sum: 2.0,
  cpuVsOpensslFloor: 1.3,
  requestsOverChunks: 5,
};

export function evaluateTargets(t: TargetInputs): Target[] {
  const { action } = t;
  const vsCurl = action.wallS / t.curlLoop.wallS;
  const vsMd5sum = action.wallS / t.md5sum.wallS;
  const cpuFloor = t.opensslMd5.cpuSPerGiB + t.opensslSha256.cpuSPerGiB;
  const maxRequests = t.requests.chunks + LIMITS.requestsOverChunks;
  return [
    ...t.memoryRuns.map((run) => ({
      name: `peak RSS ≤ ${LIMITS.peakRssMiB} MiB: ${run.label}`,
      pass: run.maxRssMiB <= LIMITS.peakRssMiB,
      detail: `${fixed(run.maxRssMiB, 0)} MiB`,
    })),
    {
      name: `empty run (1 MiB image) ≤ ${LIMITS.emptyRunRssMiB} MiB RSS`,
      pass: t.emptyRun.maxRssMiB <= LIMITS.emptyRunRssMiB,
      detail: `${fixed(t.emptyRun.maxRssMiB, 0)} MiB, ${fixed(t.emptyRun.wallS, 2)} s wall`,
    },
    {
      name: `bundle ≤ ${LIMITS.bundleBytes / 1e6} MB`,
      pass: t.bundleBytes <= LIMITS.bundleBytes,
      detail: `${fixed(t.bundleBytes / 1e6, 2)} MB (dist/index.js)`,
    },
    {
      name: `wall ≤ ${LIMITS.wallVsCurlLoop} × curl loop (same chunk size)`,
      pass: vsCurl <= LIMITS.wallVsCurlLoop,
      detail: `${fixed(vsCurl, 2)} × (${fixed(action.wallS, 2)} s vs ${fixed(t.curlLoop.wallS, 2)} s)`,
    },
    {
      name: `wall ≤ ${LIMITS.wallVsMd5sum} × md5sum (set for SHA-extension machines)`,
      pass: vsMd5sum <= LIMITS.wallVsMd5sum,
      detail:
        `${fixed(vsMd5sum, 2)} × (${fixed(action.wallS, 2)} s vs ${fixed(t.md5sum.wallS, 2)} s)` +
        (t.shaExtensions ? '' : '; this machine has no SHA extensions'),
    },
    {
      name: `CPU ≤ ${LIMITS.cpuVsOpensslFloor} × openssl MD5 + SHA-256 floor`,
      pass: action.cpuSPerGiB <= LIMITS.cpuVsOpensslFloor * cpuFloor,
      detail: `${fixed(action.cpuSPerGiB / cpuFloor, 2)} × (${fixed(action.cpuSPerGiB, 2)} vs ${fixed(cpuFloor, 2)} s/GiB)`,
    },
    {
      name: `requests for a new-name publish ≤ N + ${LIMITS.requestsOverChunks} (N = ${t.requests.chunks} chunks)`,
      pass: t.requests.newName <= maxRequests,
      detail: `${t.requests.newName} ≤ ${maxRequests}`,
    },
  ];
}

export function formatTargets(targets: Target[]): string {
  return targets.map((t) => `${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`).join('\n');
}
