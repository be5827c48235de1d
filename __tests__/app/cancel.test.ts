// The one cancel policy of the action, the campaign action and the CLI (src/app/cancel.ts).
import { describe, expect, it } from '@jest/globals';
import { CancelPolicy } from '../../src/app/index.js';

function policy(deadlineMs = 60_000) {
  const seen: string[] = [];
  let exited!: () => void;
  const exit = new Promise<void>((resolve) => (exited = resolve));
  const cancel = new CancelPolicy({
    deadlineMs,
    exit: () => {
      seen.push('exit');
      exited();
    },
    onSignal: (signal) => seen.push(`signal ${signal}`),
  });
  return { cancel, seen, exit };
}

describe('CancelPolicy', () => {
  it('the first signal aborts the run, with the signal as the reason, and says so once', () => {
    const { cancel, seen } = policy();
    cancel.onSignal('SIGINT');
    expect(cancel.signal.aborted).toBe(true);
    expect((cancel.signal.reason as Error).message).toBe('cancelled by SIGINT');
    expect(seen).toEqual(['signal SIGINT']);
    cancel.dispose();
  });

  it('a second signal exits at once', () => {
    const { cancel, seen } = policy();
    cancel.onSignal('SIGINT');
    cancel.onSignal('SIGTERM');
    expect(seen).toEqual(['signal SIGINT', 'exit']);
    cancel.dispose();
  });

  it('a run that hangs after the cancel is ended by the deadline', async () => {
    const { cancel, seen, exit } = policy(20);
    cancel.cancel('stderr closed (EPIPE)');
    await exit;
    expect(seen).toEqual(['exit']);
    expect((cancel.signal.reason as Error).message).toBe('stderr closed (EPIPE)');
  });

  it('a run that ends disarms the deadline; cancel is idempotent and not a signal', async () => {
    const { cancel, seen } = policy(20);
    cancel.cancel('first');
    cancel.cancel('second');
    cancel.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toEqual([]);
    expect((cancel.signal.reason as Error).message).toBe('first');
  });
});
