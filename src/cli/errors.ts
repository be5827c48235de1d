// The CLI's own errors.

/** A CLI-only usage problem (the key file); InputError covers everything shared with the action. */
export class UsageError extends Error {
  override name = 'UsageError';
}
