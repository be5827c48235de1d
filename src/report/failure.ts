// A failure as one line for the log and the summary: what failed (with the service's message and
// request id, which the error messages already carry) and what to do about it, in the words of the
// entry point that reports it (a Vocabulary: the action's inputs or the CLI's options).
import { actionVocabulary, asHint, Hint, render, type Vocabulary } from '../common/hint.js';

export interface FailureDescription {
  message: string;
  hint?: string;
}

export function describeFailure(
  error: unknown,
  vocabulary: Vocabulary = actionVocabulary,
): FailureDescription {
  if (!(error instanceof Error)) return { message: String(error) };
  const message = messageOf(error, vocabulary);
  // ServiceError carries advice; an UploadInterruptedError wraps the ServiceError that ended the upload.
  const advice = adviceOf(error) ?? adviceOf(error.cause);
  return advice ? { message, hint: render(advice, vocabulary) } : { message };
}

/** `<message>. <hint>`, or just the message. */
export function failureLine(failure: FailureDescription): string {
  if (!failure.hint) return failure.message;
  return `${failure.message.replace(/[.\s]+$/, '')}. ${failure.hint}`;
}

/**
 * The message in `vocabulary`'s terms: a HintedError's `text`; an input error's subject and problem (an
 * error with `input` but no `problem`, ImagePathError, has the action's subject in front of its message).
 */
function messageOf(error: Error, vocabulary: Vocabulary): string {
  const { text, input, problem } = error as { text?: unknown; input?: unknown; problem?: unknown };
  if (text instanceof Hint) return render(text, vocabulary);
  if (typeof input !== 'string') return error.message;
  const actionSubject = `${actionVocabulary.subject(input)}: `;
  const stated =
    problem instanceof Hint
      ? problem
      : error.message.startsWith(actionSubject)
        ? asHint(error.message.slice(actionSubject.length))
        : undefined;
  return stated ? `${vocabulary.subject(input)}: ${render(stated, vocabulary)}` : error.message;
}

function adviceOf(value: unknown): Hint | undefined {
  const advice = (value as { advice?: unknown } | undefined)?.advice;
  if (advice instanceof Hint) return advice;
  // Errors of other layers that carry a plain hint string.
  const hint = (value as { hint?: unknown } | undefined)?.hint;
  return typeof hint === 'string' && hint !== '' ? asHint(hint) : undefined;
}
