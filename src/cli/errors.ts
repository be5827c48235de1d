// The CLI's own errors.
import { NamedError } from '../common/named-error.js';

/** A CLI-only usage problem (the key file); InputError covers everything shared with the action. */
export class UsageError extends NamedError {}
