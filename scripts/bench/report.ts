// Medians, the results table and the targets, PASS/FAIL.
import { formatBytes, GiB, MiB } from '../../src/common/bytes.js';
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
  action: Summary;
  curlLoop: Summary;
  md5sum: Summary;
  opensslMd5: Summary;
  opensslSha256: Summary;
  chunkSize: number;
  /** The action on a larger image, for the flat-memory target. */
  larger?: { summary: Summary; imageSize: number };
}

// The targets (2-core machine, emulator on the same machine).
const MAX_WALL_VS_CURL = 0.5;
const MAX_WALL_VS_MD5SUM = 2.0;
const RSS_CHUNKS = 3;
const RSS_BASE_MIB = 96;
const MAX_RSS_GROWTH = 0.1;
const MAX_CPU_VS_OPENSSL = 1.3;

export function evaluateTargets(t: TargetInputs): Target[] {
  const { action } = t;
  const vsCurl = action.wallS / t.curlLoop.wallS;
  const vsMd5sum = action.wallS / t.md5sum.wallS;
  const rssLimitMiB = (RSS_CHUNKS * t.chunkSize) / MiB + RSS_BASE_MIB;
  const cpuFloor = t.opensslMd5.cpuSPerGiB + t.opensslSha256.cpuSPerGiB;
  const targets: Target[] = [
    {
      name: `action wall ≤ ${MAX_WALL_VS_CURL} × curl loop`,
      pass: vsCurl <= MAX_WALL_VS_CURL,
      detail: `${fixed(vsCurl, 2)} × (${fixed(action.wallS, 2)} s vs ${fixed(t.curlLoop.wallS, 2)} s)`,
    },
    {
      name: `action wall ≤ ${MAX_WALL_VS_MD5SUM} × md5sum`,
      pass: vsMd5sum <= MAX_WALL_VS_MD5SUM,
      detail: `${fixed(vsMd5sum, 2)} × (${fixed(action.wallS, 2)} s vs ${fixed(t.md5sum.wallS, 2)} s)`,
    },
    {
      name: `action peak RSS ≤ ${RSS_CHUNKS} × chunk + ${RSS_BASE_MIB} MiB`,
      pass: action.maxRssMiB <= rssLimitMiB,
      detail: `${fixed(action.maxRssMiB, 0)} MiB ≤ ${fixed(rssLimitMiB, 0)} MiB`,
    },
    {
      name: `action CPU/GiB ≤ ${MAX_CPU_VS_OPENSSL} × (openssl md5 + sha256)`,
      pass: action.cpuSPerGiB <= MAX_CPU_VS_OPENSSL * cpuFloor,
      detail: `${fixed(action.cpuSPerGiB / cpuFloor, 2)} × (${fixed(action.cpuSPerGiB, 2)} vs ${fixed(cpuFloor, 2)} s/GiB)`,
    },
  ];
  if (t.larger) {
    const growth = t.larger.summary.maxRssMiB / action.maxRssMiB - 1;
    targets.push({
      name: `action peak RSS flat (≤ ${MAX_RSS_GROWTH * 100} % more) on a ${formatBytes(t.larger.imageSize)} image`,
      pass: Math.abs(growth) <= MAX_RSS_GROWTH,
      detail: `${fixed(t.larger.summary.maxRssMiB, 0)} MiB vs ${fixed(action.maxRssMiB, 0)} MiB (${growth >= 0 ? '+' : ''}${fixed(growth * 100, 1)} %)`,
    });
  }
  return targets;
}

export function formatTargets(targets: Target[]): string {
  return targets.map((t) => `${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`).join('\n');
}
