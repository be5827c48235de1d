// The campaign step's failures. Each carries what was known when it failed, so the outputs and the
// summary still show the campaign, its phase and its counts. Service failures stay ServiceError.
import { NamedError } from '../common/named-error.js';
import { actionVocabulary, render, type Hint } from '../common/hint.js';
import type { CampaignResult } from './types.js';

export type CampaignFailureKind =
  /** Bad input discovered against the service (no devices, a name held by something else). */
  | 'precondition'
  /** The campaign stopped before its devices finished. */
  | 'stopped'
  /** Too many devices failed: the campaign was stopped. */
  | 'max-failed'
  /** Fewer devices succeeded than min-success-percent asks. */
  | 'gate'
  /** The wait ran out; the campaign is left as it is (not stopped). */
  | 'timeout'
  /** Cancelled; the campaign is left as it is (not stopped). */
  | 'cancelled'
  /** A service or network failure along the way. */
  | 'service';

export class CampaignFailure extends NamedError {
  /** What to do about it, as data: each entry point renders it in its own terms. */
  readonly advice?: Hint;
  /** `advice` in the action's words. */
  readonly hint?: string;
  constructor(
    readonly kind: CampaignFailureKind,
    message: string,
    /** What was known when it failed. */
    readonly result: CampaignResult,
    options?: { cause?: unknown; hint?: Hint },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.advice = options?.hint;
    this.hint = this.advice && render(this.advice, actionVocabulary);
  }
}
