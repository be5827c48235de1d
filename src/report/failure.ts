// A failure as one line for the log and the summary: what failed (with the service's message and
// request id, which the error messages already carry) and what to do about it.

export interface FailureDescription {
  message: string;
  hint?: string;
}

export function describeFailure(error: unknown): FailureDescription {
  if (!(error instanceof Error)) return { message: String(error) };
  // ServiceError carries a hint; an UploadInterruptedError wraps the ServiceError that ended the upload.
  const hint = hintOf(error) ?? hintOf(error.cause);
  return hint ? { message: error.message, hint } : { message: error.message };
}

/** `<message>. <hint>`, or just the message. */
export function failureLine(failure: FailureDescription): string {
  if (!failure.hint) return failure.message;
  return `${failure.message.replace(/[.\s]+$/, '')}. ${failure.hint}`;
}

function hintOf(value: unknown): string | undefined {
  const hint = (value as { hint?: unknown } | undefined)?.hint;
  return typeof hint === 'string' && hint !== '' ? hint : undefined;
}
