// The one cancel policy of every entry point (action, campaign action, CLI).
//
// A cancel aborts the run's signal: the request in flight ends, the uploader keeps the job for a re-run
// (the campaign runs on), and the entry point reports where things stood. The process must then end
// within a deadline even if something does not let go: GitHub sends SIGINT, then SIGTERM 7.5 s later,
// so 5 s leaves time to write the summary and exit before the runner insists. A second signal means the
// user (Ctrl-C twice) or the runner insists now: exit at once, whatever is still being written.

export const CANCEL_DEADLINE_MS = 5000;

export interface CancelPolicyOptions {
  /** How long after the first cancel the process may live; CANCEL_DEADLINE_MS. */
  deadlineMs?: number;
  /** Ends the process: when the deadline passes, or at once on a second signal. */
  exit: () => void;
  /** Called once, on the first signal, before the abort: the entry point says what it leaves behind. */
  onSignal?: (signal: string) => void;
}

export class CancelPolicy {
  private readonly controller = new AbortController();
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private readonly deadlineMs: number;

  constructor(private readonly options: CancelPolicyOptions) {
    this.deadlineMs = options.deadlineMs ?? CANCEL_DEADLINE_MS;
  }

  /** The run's signal: pass it to the run and its client. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Cancels the run for `reason` (a signal, a closed stream) and arms the deadline; idempotent. */
  cancel(reason: string): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(new Error(reason));
    this.deadline = setTimeout(() => this.options.exit(), this.deadlineMs);
    // The deadline only bounds a run that hangs; a run that ends lets the process end at once.
    this.deadline.unref?.();
  }

  /** For SIGINT/SIGTERM: the first cancels, a second exits at once. */
  readonly onSignal = (signal: string): void => {
    if (this.controller.signal.aborted) {
      this.options.exit();
      return;
    }
    this.options.onSignal?.(signal);
    this.cancel(`cancelled by ${signal}`);
  };

  /** The run has ended and let go of everything: the deadline is not needed any more. */
  dispose(): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
  }
}
