// stdout and stderr as the CLI writes them, when the reader may go away (`| head -1`, `| grep -m1`, a
// killed log collector). A write to a closed pipe fails later, as an 'error' event on the stream; with
// no listener Node turns it into an uncaught exception and a stack trace. Here the stream is marked
// lost instead, later writes to it are dropped, and the caller decides what the loss means.
import type { TextStream } from './output.js';

export type OutputName = 'stdout' | 'stderr';

export interface OutputLoss {
  stream: OutputName;
  /** The error code: EPIPE when the reader closed its end, anything else is a real write failure. */
  code: string;
  /** The reader went away (EPIPE): end quietly, as `head` expects; otherwise the output was not delivered. */
  readerGone: boolean;
}

/** What watchOutputs needs of process.stdout/stderr. */
export interface WritableOutput {
  write(text: string): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Wraps both streams; `onLoss` runs once per stream, on its first failed write. A closed pipe is only
 * seen when something is written to it: stderr carries progress through an upload, stdout only the
 * results at the end.
 */
export function watchOutputs(
  outputs: Record<OutputName, WritableOutput>,
  onLoss: (loss: OutputLoss) => void,
): Record<OutputName, TextStream> {
  const watch = (name: OutputName): TextStream => {
    const output = outputs[name];
    let lost = false;
    output.on('error', (error) => {
      if (lost) return;
      lost = true;
      const code = error.code ?? 'EUNKNOWN';
      onLoss({ stream: name, code, readerGone: code === 'EPIPE' });
    });
    return { write: (text) => lost || output.write(text) };
  };
  return { stdout: watch('stdout'), stderr: watch('stderr') };
}
