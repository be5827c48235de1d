// Resource use of one contestant's process: wall time, CPU (user + sys) and peak RSS.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Usage {
  wallS: number;
  userS: number;
  sysS: number;
  /** Peak resident set size (ru_maxrss / VmHWM). */
  maxRssKiB: number;
}

export const cpuSeconds = (usage: Usage): number => usage.userS + usage.sysS;

const GNU_TIME = '/usr/bin/time';
const STDERR_TAIL_CHARS = 2000;

/**
 * Runs a command under GNU time (%e wall, %M max RSS KiB, %U user, %S sys). CPU and RSS cover the
 * command and the children it waited for (the curl loop's dd/openssl/curl).
 */
export async function timeCommand(command: string, args: string[]): Promise<Usage> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-time-'));
  const out = join(dir, 'usage');
  try {
    const child = spawn(GNU_TIME, ['-f', '%e %M %U %S', '-o', out, command, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-STDERR_TAIL_CHARS)));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.trim()}`);
    // With a non-zero exit GNU time writes a status line first; the figures are always the last line.
    const last = (await readFile(out, 'utf8')).trim().split('\n').pop() ?? '';
    const [wallS, maxRssKiB, userS, sysS] = last.split(' ').map(Number);
    if ([wallS, maxRssKiB, userS, sysS].some((n) => n === undefined || !Number.isFinite(n))) {
      throw new Error(`unexpected GNU time output: '${last}'`);
    }
    return { wallS: wallS!, maxRssKiB: maxRssKiB!, userS: userS!, sysS: sysS! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const SAMPLE_INTERVAL_MS = 10;

/**
 * Follows a running process through /proc (for a child we did not spawn ourselves, like the action that
 * scripts/lib/run-action.ts starts): VmHWM is the kernel's own high-water mark, so sampling cannot miss
 * the peak; utime/stime (all threads, exited workers included) miss at most the last sample interval.
 */
export function watchProcess(pid: number): { stop(): Usage } {
  const started = performance.now();
  let last = { userS: 0, sysS: 0, maxRssKiB: 0 };
  const sample = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm)": state is field 3, utime 14, stime 15 (man 5 proc).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (!hwm) return; // a zombie has no memory figures left: keep the last sample
      last = {
        userS: Number(fields[11]) / CLOCK_TICKS_PER_SECOND,
        sysS: Number(fields[12]) / CLOCK_TICKS_PER_SECOND,
        maxRssKiB: Number(hwm[1]),
      };
    } catch {
      // gone already: keep the last sample
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { wallS: (performance.now() - started) / 1000, ...last };
    },
  };
}
