// The application layer: composes a run of either step for any entry point. An entry point reads its
// inputs into settings, gives provenance, a logger, the cancel signal, the environment (for proxies)
// and an event handler, and renders the result or the failure in its own terms.
import { runCampaign, type CampaignEvent, type CampaignResult } from '../campaign/index.js';
import { createDispatcher } from '../client/index.js';
import { systemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { CampaignSettings, Provenance, Settings } from '../inputs/index.js';
import { publish, type PublishResult, type UploadEvent } from '../uploader/index.js';
import { deviceManagementClient, updateServiceClient, type ClientDeps } from './clients.js';
import { prepareCampaign, preparePublish, type PreparedCampaign, type PreparedPublish } from './prepare.js';

export interface RunContext<Event, Prepared> {
  provenance: Provenance;
  logger: Logger;
  /** Aborting it cancels the run (CancelPolicy); the client is built with it. */
  signal?: AbortSignal;
  /** Where proxy variables (HTTPS_PROXY, NO_PROXY) are read. */
  env: Record<string, string | undefined>;
  onEvent?: (event: Event) => void;
  /** Before any request: what the run will use (the entry point logs it, or keeps it for its summary). */
  onPrepared?: (prepared: Prepared) => void;
  /** A log group around the preparation (the action's "Prepare"); none by default. */
  prepareGroup?: string;
  clock?: Clock;
}

/** What every entry point gives a run, whichever the step. */
export type RunBasics = Pick<RunContext<never, never>, 'provenance' | 'logger' | 'signal' | 'env'>;

export type PublishContext = RunContext<UploadEvent, PreparedPublish>;
export type CampaignRunContext = RunContext<CampaignEvent, PreparedCampaign>;

/** Locate, name, then publish() through a dispatcher of its own, closed when the run ends. */
export async function runPublish(settings: Settings, ctx: PublishContext): Promise<PublishResult> {
  const prepared = await prepareIn(ctx, () => preparePublish(settings, ctx.provenance));
  return withClientDeps(ctx, (deps) =>
    publish(prepared.request, stepDeps(ctx, updateServiceClient(settings, deps))),
  );
}

/** Name, then runCampaign() through a dispatcher of its own, closed when the run ends. */
export async function runCampaignStep(
  settings: CampaignSettings,
  ctx: CampaignRunContext,
): Promise<CampaignResult> {
  const prepared = await prepareIn(ctx, async () => prepareCampaign(settings, ctx.provenance));
  return withClientDeps(ctx, (deps) =>
    runCampaign(prepared.request, stepDeps(ctx, deviceManagementClient(settings, deps))),
  );
}

/** The preparation (in the entry point's log group, if any), told to the entry point before any request. */
async function prepareIn<P>(ctx: RunContext<never, P>, make: () => Promise<P>): Promise<P> {
  return inGroup(ctx, async () => {
    const made = await make();
    ctx.onPrepared?.(made);
    return made;
  });
}

/** What a step's sequence receives besides its request: the client, and the context's logger, clock, signal, events. */
function stepDeps<Event, Client>(ctx: RunContext<Event, never>, client: Client) {
  return {
    client,
    logger: ctx.logger,
    clock: ctx.clock ?? systemClock,
    signal: ctx.signal,
    onEvent: ctx.onEvent,
  };
}

function inGroup<T>(ctx: { logger: Logger; prepareGroup?: string }, fn: () => Promise<T>): Promise<T> {
  return ctx.prepareGroup === undefined ? fn() : ctx.logger.group(ctx.prepareGroup, fn);
}

/**
 * Runs `fn` with a dispatcher that honours the proxy variables, then destroys it. destroy(), not close():
 * once the run has returned or thrown, nothing it sent is still wanted, and close() would wait for a peer
 * that keeps a connection (or a request a bug left pending) open; the process must end when the run does.
 */
async function withClientDeps<T>(
  ctx: { env: RunContext<never, never>['env']; signal?: AbortSignal; logger: Logger },
  fn: (deps: ClientDeps) => Promise<T>,
): Promise<T> {
  const dispatcher = createDispatcher({ proxyFromEnv: true, env: ctx.env });
  try {
    return await fn({ dispatcher, signal: ctx.signal, logger: ctx.logger });
  } finally {
    await dispatcher.destroy().catch(() => {});
  }
}
