// What the CLI writes: log lines and progress on stderr (a redrawn bar on a terminal, plain lines in CI
// logs), results on stdout. Everything goes through a writer that scrubs the access key, and every value
// is neutralised (src/common/neutralise.ts) so that no line can carry a terminal escape or a CI command.
import { redactSecret } from '../client/index.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { neutralise, UNSAFE_CHARACTERS } from '../common/neutralise.js';
import { ProgressReporter } from '../report/index.js';
import type { UploadEvent } from '../uploader/index.js';

export interface TextStream {
  write(text: string): unknown;
}

/** A stream that never lets `secret` through, whatever a message was built from. */
export function redacting(stream: TextStream, secret: () => string | undefined): TextStream {
  return { write: (text) => stream.write(redactSecret(text, secret())) };
}

const CLEAR_LINE = '\r\x1b[K';
const BAR_WIDTH = 24;

/**
 * Log lines on stderr, plus the upload's progress: on a terminal one bar redrawn in place (cleared
 * before any other line), otherwise the reporting layer's throttled progress lines.
 */
export class CliOutput {
  readonly logger: Logger;
  private barShown = false;
  private readonly progress: ProgressReporter;
  private fraction = 0;

  constructor(
    private readonly stderr: TextStream,
    private readonly options: { isTTY: boolean; verbose: boolean; clock: Pick<Clock, 'now'> },
  ) {
    const line = (prefix: string) => (message: string) => this.line(prefix + neutralise(message));
    this.logger = {
      debug: options.verbose ? line('debug: ') : () => {},
      info: line(''),
      warning: line('warning: '),
      error: line('error: '),
      group: async (title, fn) => {
        this.line(`── ${neutralise(title)}`);
        return fn();
      },
    };
    this.progress = options.isTTY
      ? new ProgressReporter({
          clock: options.clock,
          emit: (text) => this.drawBar(text),
          percentStep: 1,
          intervalMs: 0,
        })
      : new ProgressReporter({ clock: options.clock, emit: (text) => this.line(text) });
  }

  /** Pass every UploadEvent. */
  readonly handle = (event: UploadEvent): void => {
    if (event.type === 'chunk-sent' || event.type === 'chunk-skipped') {
      this.fraction = event.bytesTotal > 0 ? event.bytesDone / event.bytesTotal : 1;
    }
    // Retries and warnings reach the logger from the uploader itself; only progress is drawn from events.
    this.progress.handle(event);
  };

  /** Ends the bar's line so that what follows starts on a fresh one. */
  finish(): void {
    if (this.barShown) this.stderr.write('\n');
    this.barShown = false;
  }

  private line(text: string): void {
    this.stderr.write(`${this.barShown ? CLEAR_LINE : ''}${text}\n`);
    this.barShown = false;
  }

  private drawBar(text: string): void {
    const filled = Math.floor(Math.min(1, this.fraction) * BAR_WIDTH);
    const done = this.fraction >= 1;
    // The finished bar stays on screen; an unfinished one is redrawn in place.
    this.stderr.write(
      `${CLEAR_LINE}[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${text}${done ? '\n' : ''}`,
    );
    this.barShown = !done;
  }
}

/** `key  value` lines, aligned, for people; `--json` prints the same record as JSON for scripts. */
export function formatOutputs(outputs: Record<string, string | undefined>): string {
  const entries = Object.entries(outputs).filter((e): e is [string, string] => e[1] !== undefined);
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${neutralise(v)}\n`).join('');
}

/**
 * One line of JSON for scripts. JSON.stringify leaves DEL, C1 controls, line separators and bidi
 * controls raw; as `\uXXXX` escapes they mean the same to a JSON parser and nothing to a terminal or CI.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE_CHARACTERS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
