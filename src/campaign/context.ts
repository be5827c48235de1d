// One runCampaign() run's context: the client, the retry engine and lost-answer reconciliation of the
// publish step (UploadSession, imported, not copied), the events, and the result as known so far.
import type { DeviceManagementClient } from '../client/index.js';
import { UploadSession } from '../uploader/index.js';
import type { CampaignDeps, CampaignEvent, CampaignRequest, CampaignResult } from './types.js';

export class CampaignContext {
  readonly session: UploadSession;
  readonly client: DeviceManagementClient;
  /** Filled in as the run goes, so that a failure can report what was known. */
  readonly result: CampaignResult;
  /** A change sent (create, start) that a cancel cut off before its answer: it may have taken or not. */
  unanswered?: string;

  constructor(
    readonly request: CampaignRequest,
    private readonly deps: CampaignDeps,
  ) {
    this.client = deps.client;
    this.session = new UploadSession(
      {
        client: deps.client,
        logger: deps.logger,
        clock: deps.clock,
        signal: deps.signal,
        random: deps.random,
        onEvent: (event) => {
          if (event.type === 'retry') this.emit(event);
        },
      },
      request.maxRetries,
    );
    this.result = {
      outcome: request.dryRun ? 'dry-run' : 'created',
      manifestName: request.manifestName,
      campaignName: request.campaignName,
      counts: { total: 0, succeeded: 0, failed: 0, pending: 0 },
      failedDevices: [],
      failureEvents: [],
      waited: false,
      conclusion: '',
      durationMs: 0,
      retryCount: 0,
      warnings: this.session.warnings,
    };
  }

  get logger() {
    return this.deps.logger;
  }

  get clock() {
    return this.deps.clock;
  }

  get signal() {
    return this.deps.signal;
  }

  emit(event: CampaignEvent): void {
    this.deps.onEvent?.(event);
  }

  /**
   * A create that is not idempotent (a manifest, a campaign), through the retry engine: after a lost
   * answer, what `lookUp` finds under our name that was not there before (`known`) is ours: 'adopted'.
   */
  async createOnce<T extends { id: string }>(
    operation: string,
    create: () => Promise<T>,
    lookUp: () => Promise<{ ours?: T }>,
    known: ReadonlySet<string>,
  ): Promise<{ record: T; how: 'created' | 'adopted' }> {
    let adopted = false;
    const record = await this.change(operation, () =>
      this.session.reconciled(operation, create, async () => {
        const after = await lookUp();
        if (after.ours && !known.has(after.ours.id)) {
          adopted = true;
          return { done: after.ours };
        }
        return 'retry';
      }),
    );
    return { record, how: adopted ? 'adopted' : 'created' };
  }

  /** Sends a change; `unanswered` names it until it settles, and still does if a cancel cut it off. */
  async change<T>(operation: string, send: () => Promise<T>): Promise<T> {
    this.unanswered = operation;
    let answer: T;
    try {
      answer = await send();
    } catch (error) {
      if (!this.signal?.aborted) this.unanswered = undefined;
      throw error;
    }
    this.unanswered = undefined;
    return answer;
  }

  /** The result with the run's totals, as it stands now. */
  snapshot(): CampaignResult {
    this.result.durationMs = this.session.elapsedMs();
    this.result.retryCount = this.session.retryCount;
    return { ...this.result, counts: { ...this.result.counts } };
  }
}
