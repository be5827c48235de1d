import { describe, expect, it } from '@jest/globals';
import { ProgressReporter } from '../../src/report/progress.js';
import type { UploadEvent } from '../../src/uploader/types.js';
import { MiB } from '../../src/common/bytes.js';

/** A clock the test moves by hand. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function chunk(
  type: 'chunk-sent' | 'chunk-skipped',
  index: number,
  total: number,
  chunkSize: number,
): UploadEvent {
  return {
    type,
    index,
    total,
    length: chunkSize,
    bytesDone: index * chunkSize,
    bytesTotal: total * chunkSize,
  };
}

/** A reporter on a manual clock, its lines kept, in the upload phase. */
function uploadingReporter() {
  const clock = manualClock();
  const lines: string[] = [];
  const reporter = new ProgressReporter({ clock, emit: (line) => lines.push(line) });
  reporter.handle({ type: 'phase', phase: 'upload' });
  return { clock, lines, reporter };
}

describe('ProgressReporter', () => {
  it('logs about every 10 % on a 1000-chunk upload, not a line per chunk', () => {
    const { clock, lines, reporter } = uploadingReporter();
    for (let index = 1; index <= 1000; index++) {
      clock.advance(5); // 1000 chunks in 5 s: never the 10 s rule
      reporter.handle(chunk('chunk-sent', index, 1000, MiB));
    }
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('uploaded 10% (100 MiB of 1000 MiB), 200 MiB/s, ETA 4.5 s');
    expect(lines[9]).toBe('uploaded 100% (1000 MiB of 1000 MiB), 200 MiB/s');
  });

  it('logs every 10 s when progress is slower than 10 % per 10 s', () => {
    const { clock, lines, reporter } = uploadingReporter();
    for (let index = 1; index <= 100; index++) {
      clock.advance(4000); // 1 % every 4 s: a line every third chunk (12 s), and at each 10 % mark
      reporter.handle(chunk('chunk-sent', index, 100, MiB));
    }
    const percents = lines.map((line) => /^uploaded (\d+)%/.exec(line)?.[1]);
    expect(percents.slice(0, 8)).toEqual(['3', '6', '9', '10', '13', '16', '19', '20']);
    expect(lines).toHaveLength(40);
    expect(lines[0]).toBe('uploaded 3% (3 MiB of 100 MiB), 256 KiB/s, ETA 6 min 28 s');
  });

  it('counts chunks the job already held as done but not toward the transfer rate', () => {
    const { clock, lines, reporter } = uploadingReporter();
    for (let index = 1; index <= 5; index++) reporter.handle(chunk('chunk-skipped', index, 10, MiB));
    clock.advance(1000);
    reporter.handle(chunk('chunk-sent', 6, 10, MiB));
    expect(lines).toEqual(['uploaded 60% (6 MiB of 10 MiB), 1 MiB/s, ETA 4 s']);
  });

  it('ignores events that are not progress', () => {
    const lines: string[] = [];
    const reporter = new ProgressReporter({ clock: manualClock(), emit: (line) => lines.push(line) });
    reporter.handle({ type: 'phase', phase: 'upload' });
    reporter.handle({ type: 'job-created', jobId: 'j', name: 'n', adopted: false });
    reporter.handle({
      type: 'retry',
      operation: 'append chunk 1',
      attempt: 1,
      delayMs: 10,
      error: new Error('x'),
    });
    expect(lines).toEqual([]);
  });
});
