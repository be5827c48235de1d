// Progress lines from the uploader's events: often enough to show life, rarely enough that a
// 1000-chunk upload logs about a dozen lines, not a thousand.
import { formatBytes } from '../common/bytes.js';
import type { Clock } from '../common/clock.js';
import type { UploadEvent } from '../uploader/index.js';
import { formatDuration, formatRate } from './format.js';

export interface ProgressOptions {
  clock: Pick<Clock, 'now'>;
  /** Receives each progress line. */
  emit: (line: string) => void;
  /** A line whenever progress crosses another multiple of this percentage… */
  percentStep?: number;
  /** …or this long has passed since the last line, whichever comes first. */
  intervalMs?: number;
}

export class ProgressReporter {
  private readonly percentStep: number;
  private readonly intervalMs: number;
  private startedAt = 0;
  /** Bytes the job already held when we started: done, but not part of our transfer rate. */
  private skippedBytes = 0;
  private sentBytes = 0;
  private lastLineAt = 0;
  private lastStep = 0;

  constructor(private readonly options: ProgressOptions) {
    this.percentStep = options.percentStep ?? 10;
    this.intervalMs = options.intervalMs ?? 10_000;
  }

  /** Pass every UploadEvent; the ones that are not progress are ignored. */
  readonly handle = (event: UploadEvent): void => {
    if (event.type === 'phase' && event.phase === 'upload') this.start();
    if (event.type === 'chunk-skipped') this.skippedBytes += event.length;
    if (event.type === 'chunk-sent') {
      this.sentBytes += event.length;
      this.maybeEmit(event.bytesDone, event.bytesTotal, event.index === event.total);
    }
  };

  private start(): void {
    this.startedAt = this.options.clock.now();
    this.lastLineAt = this.startedAt;
    this.skippedBytes = 0;
    this.sentBytes = 0;
    this.lastStep = 0;
  }

  private maybeEmit(bytesDone: number, bytesTotal: number, last: boolean): void {
    const now = this.options.clock.now();
    const percent = bytesTotal > 0 ? (100 * bytesDone) / bytesTotal : 100;
    const step = Math.floor(percent / this.percentStep);
    if (!last && step <= this.lastStep && now - this.lastLineAt < this.intervalMs) return;
    this.lastStep = step;
    this.lastLineAt = now;
    this.options.emit(this.line(bytesDone, bytesTotal, percent, now - this.startedAt));
  }

  private line(bytesDone: number, bytesTotal: number, percent: number, elapsedMs: number): string {
    const parts = [
      `uploaded ${Math.floor(percent)}% (${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)})`,
      formatRate(this.sentBytes, elapsedMs),
    ];
    if (bytesDone < bytesTotal && this.sentBytes > 0 && elapsedMs > 0) {
      const remainingMs = ((bytesTotal - bytesDone) * elapsedMs) / this.sentBytes;
      parts.push(`ETA ${formatDuration(remainingMs)}`);
    }
    return parts.join(', ');
  }
}
