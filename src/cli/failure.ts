// How a CLI command ends in failure: the exit code and the message in the CLI's terms, on stderr, and with
// --json as one object on stdout too (with the outputs known so far), for both commands alike.
import { ConflictError } from '../uploader/index.js';
import { ImagePathError } from '../image/index.js';
import { API_KEY_FIX, InputError } from '../inputs/index.js';
import { neutralise } from '../common/neutralise.js';
import { describeFailure, failureLine } from '../report/index.js';
import { EXIT } from './options.js';
import { jsonLine, formatOutputs, type TextStream } from './output.js';
import { cliVocabulary } from './terms.js';

/** Bad input (exit 2) or a failure (1; a conflict 3), worded in the CLI's terms. */
export function explainFailure(
  error: unknown,
  signal: AbortSignal | undefined,
): { code: number; message: string } {
  if (error instanceof InputError && error.input === 'api-key' && error.missing) {
    return {
      code: EXIT.usage,
      message: `no access key: ${API_KEY_FIX.cli}.`,
    };
  }
  const message = failureLine(describeFailure(error, cliVocabulary));
  if (error instanceof InputError || error instanceof ImagePathError) return { code: EXIT.usage, message };
  if (error instanceof ConflictError) return { code: EXIT.conflict, message };
  if (signal?.aborted) return { code: EXIT.failed, message: `cancelled: ${message}` };
  return { code: EXIT.failed, message };
}

/** Writes a failure: `error: …` on stderr; with `json`, `{…outputs, error, exit_code}` on stdout, else the outputs. */
export function reportFailure(
  streams: { stdout: TextStream; stderr: TextStream },
  failure: { code: number; message: string },
  json: boolean,
  outputs: Record<string, string | undefined> = {},
): number {
  streams.stderr.write(`error: ${neutralise(failure.message)}\n`);
  if (json) {
    streams.stdout.write(`${jsonLine({ ...outputs, error: failure.message, exit_code: failure.code })}\n`);
  } else if (Object.keys(outputs).length > 0) {
    streams.stdout.write(formatOutputs(outputs));
  }
  return failure.code;
}
