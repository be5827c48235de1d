// Durations and rates as the progress lines and the job summary show them.
import { formatBytes } from '../common/bytes.js';

/** `850 ms`, `12.3 s`, `2 min 5 s`, `1 h 2 min`: precise enough to read, short enough for a log line. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${totalSeconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Bytes per second as `8.21 MiB/s`; `unknown` when no time has passed yet. */
export function formatRate(bytes: number, ms: number): string {
  if (!(ms > 0)) return 'unknown';
  return `${formatBytes(bytes / (ms / 1000))}/s`;
}
