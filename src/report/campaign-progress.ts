// Progress lines while the campaign step waits: one when the phase or the counts change, and at least
// one a minute, so a long rollout shows life without a line per poll.
import type { Clock } from '../common/clock.js';
import type { CampaignEvent, DeviceCounts } from '../campaign/index.js';
import { formatDuration } from './format.js';

export class CampaignProgress {
  private last = '';
  private lastAt = -Infinity;

  constructor(
    private readonly options: {
      clock: Pick<Clock, 'now'>;
      emit: (line: string) => void;
      intervalMs?: number;
    },
  ) {}

  readonly handle = (event: CampaignEvent): void => {
    if (event.type !== 'progress') return;
    const state = `${event.phase} ${JSON.stringify(event.counts)}`;
    const now = this.options.clock.now();
    if (state === this.last && now - this.lastAt < (this.options.intervalMs ?? 60_000)) return;
    this.last = state;
    this.lastAt = now;
    this.options.emit(progressLine(event.phase, event.counts, event.elapsedMs));
  };
}

/** `rollout: phase active, 2 of 3 devices done (67%): 2 succeeded, 0 failed, 1 pending; waited 1 min 5 s` */
export function progressLine(phase: string, counts: DeviceCounts, elapsedMs: number): string {
  const done = counts.succeeded + counts.failed;
  const percent = counts.total > 0 ? Math.floor((100 * done) / counts.total) : 0;
  return (
    `rollout: phase ${phase}, ${done} of ${counts.total} devices done (${percent}%): ` +
    `${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.pending} pending; waited ${formatDuration(elapsedMs)}`
  );
}
