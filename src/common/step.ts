// What a step's sequence (publish(), runCampaign()) receives besides its request: everything it would
// otherwise take from the process, so the action, the CLI, the tests and the bench run the same code.
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

export interface StepDeps<Client, Event> {
  /** Built with the same `signal`: aborting it ends the request in flight. */
  client: Client;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** Jitter source for retry backoff (Math.random by default). */
  random?: () => number;
  onEvent?: (event: Event) => void;
}
