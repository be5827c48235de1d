// The machine a bench run measured: every result is printed next to it, since runners differ (SHA-256 costs
// three times as much without SHA extensions, and the hashing floor moves with it).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  /** x86 `sha_ni`, Arm `sha2`: SHA-256 in hardware. */
  shaExtensions: boolean;
}

/** Parses /proc/cpuinfo text (x86 `flags`, Arm `Features`); exported for the bench's unit tests. */
export function shaExtensionsIn(cpuinfo: string): boolean {
  return cpuinfo
    .split('\n')
    .filter((line) => /^(flags|Features)\s*:/.test(line))
    .some((line) => /\s(sha_ni|sha2)(\s|$)/.test(line.slice(line.indexOf(':'))));
}

export function describeMachine(): Machine {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: SHA extensions unknown, reported as absent
  }
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() || 'unknown CPU',
    cores: list.length,
    shaExtensions: shaExtensionsIn(cpuinfo),
  };
}

/** The hashing floor from this machine's own `openssl dgst` runs: CPU s/GiB of MD5 plus SHA-256. */
export interface HashingFloor {
  md5CpuSPerGiB: number;
  sha256CpuSPerGiB: number;
}

export const floorCpuSPerGiB = (floor: HashingFloor): number => floor.md5CpuSPerGiB + floor.sha256CpuSPerGiB;

export function machineLine(machine: Machine, floor?: HashingFloor): string {
  const sha = machine.shaExtensions ? 'yes' : 'no';
  const hashing = floor
    ? `; hashing floor (openssl here): MD5 ${floor.md5CpuSPerGiB.toFixed(2)} + SHA-256 ` +
      `${floor.sha256CpuSPerGiB.toFixed(2)} = ${floorCpuSPerGiB(floor).toFixed(2)} CPU s/GiB`
    : '';
  return `machine: ${machine.cores} × ${machine.cpuModel}, SHA extensions: ${sha}${hashing}`;
}
