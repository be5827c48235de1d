// The campaign: find this release's or create it (a lost answer reconciled by name and manifest), start it
// (done only once the phase leaves draft/starting), wait for its devices, and apply the gates.
import type { UpdateCampaign } from '../api/release.js';
import { cleanServerText, ServiceError } from '../client/index.js';
import type { CampaignContext } from './context.js';
import { CampaignFailure } from './errors.js';
import { CAMPAIGN_HINTS } from './hints.js';
import { readCounts, readFailures, readFailuresBeforeGivingUp } from './device-results.js';
import { hasEnded, hasStarted, isRunning, phaseOf } from './phases.js';
import type { DeviceCounts } from './types.js';

/**
 * Campaigns under our name: ours points at our manifest AND targets our device filter. One on our
 * manifest with another filter (a pilot before the fleet) is `filterDiffers`, which ensureCampaign refuses:
 * taking it would update only its devices. Filters are compared as exact strings, as the service stores
 * and returns them (it is not known to normalise them; a respelled filter is refused, never mistaken).
 */
export async function lookUpCampaign(ctx: CampaignContext, manifestId: string | undefined) {
  const { campaignName: name, deviceFilter } = ctx.request;
  const named = (
    await ctx.session.repeatable('list update campaigns', () => ctx.client.allCampaigns({ name__eq: name }))
  ).filter((c) => c.name === name);
  const onOurManifest = named.filter((c) => manifestId !== undefined && c.root_manifest_id === manifestId);
  const ours = onOurManifest.find((c) => c.device_filter === deviceFilter);
  const filterDiffers = ours ? undefined : onOurManifest[0];
  return { ours, others: named.filter((c) => c !== ours), filterDiffers };
}

/** A campaign of our name delivers our manifest to other devices: a real run and a dry run stop here. */
export function campaignNameTaken(ctx: CampaignContext, other: UpdateCampaign): CampaignFailure {
  return new CampaignFailure(
    'precondition',
    `${ctx.request.dryRun ? 'dry run: a real run would fail: ' : ''}` +
      `update campaign ${other.id} ("${other.name}") already delivers this manifest to another device filter ` +
      `(\`${cleanServerText(other.device_filter, undefined)}\`, not \`${ctx.request.deviceFilter}\`); nothing was created`,
    ctx.snapshot(),
    { hint: CAMPAIGN_HINTS.campaignNameTaken },
  );
}

export async function ensureCampaign(
  ctx: CampaignContext,
  manifestId: string,
  /** What lookUpCampaign(ctx, manifestId) found, when the caller has just looked. */
  found?: Awaited<ReturnType<typeof lookUpCampaign>>,
): Promise<{ campaign: UpdateCampaign; how: 'created' | 'adopted' | 'found' }> {
  const { request } = ctx;
  const { ours, others, filterDiffers } = found ?? (await lookUpCampaign(ctx, manifestId));
  if (ours) return { campaign: ours, how: 'found' };
  if (filterDiffers) throw campaignNameTaken(ctx, filterDiffers);
  const known = new Set(others.map((c) => c.id));
  const { record, how } = await ctx.createOnce(
    `create update campaign "${request.campaignName}"`,
    () =>
      ctx.client.createCampaign({
        name: request.campaignName,
        ...(request.description !== undefined && { description: request.description }),
        device_filter: request.deviceFilter,
        root_manifest_id: manifestId,
        campaign_strategy: 'one-shot',
      }),
    () => lookUpCampaign(ctx, manifestId),
    known,
  );
  return { campaign: record, how };
}

export async function getCampaign(ctx: CampaignContext, id: string): Promise<UpdateCampaign> {
  const campaign = await ctx.session.repeatable(`get update campaign ${id}`, () =>
    ctx.client.getCampaign(id),
  );
  ctx.result.phase = phaseOf(campaign);
  // The service's words, on one line and bounded, before they reach a log line or a message.
  if (campaign.autostop_reason)
    ctx.result.autostopReason = cleanServerText(campaign.autostop_reason, undefined);
  return campaign;
}

/**
 * POST /start (202); a lost answer or a 409 is settled by reading the phase: anything past draft means
 * the start took. Not idempotent on the service side, so never sent twice blindly.
 */
export async function startCampaign(ctx: CampaignContext, id: string): Promise<void> {
  const operation = `start update campaign ${id}`;
  const startedMeanwhile = async () => {
    const phase = phaseOf(await getCampaign(ctx, id));
    return phase !== 'draft';
  };
  await ctx.change(operation, async () => {
    try {
      await ctx.session.reconciled(
        operation,
        () => ctx.client.startCampaign(id),
        async () => ((await startedMeanwhile()) ? { done: undefined } : 'retry'),
      );
    } catch (error) {
      if (!(error instanceof ServiceError && error.status === 409 && (await startedMeanwhile()))) throw error;
    }
  });
  ctx.logger.info(`started update campaign ${id}`);
}

/** POST /stop; a lost answer or a 409 (already stopping or stopped) is settled by reading the phase. */
export async function stopCampaign(ctx: CampaignContext, id: string): Promise<void> {
  const stoppedMeanwhile = async () => !isRunning(phaseOf(await getCampaign(ctx, id)));
  try {
    await ctx.session.reconciled(
      `stop update campaign ${id}`,
      () => ctx.client.stopCampaign(id),
      async () => ((await stoppedMeanwhile()) ? { done: undefined } : 'retry'),
    );
  } catch (error) {
    if (!(error instanceof ServiceError && error.status === 409 && (await stoppedMeanwhile()))) throw error;
  }
}

/**
 * Polls until the phase leaves draft/starting; fails if the campaign stopped instead, or time ran out.
 * Stopping is no start: it is followed to its end, which tells a finished rollout from a stop short of it.
 */
export async function waitForStart(ctx: CampaignContext, id: string, deadline: number): Promise<void> {
  for (;;) {
    const campaign = await getCampaign(ctx, id);
    const phase = phaseOf(campaign);
    if (hasStarted(phase) && phase !== 'stopping') {
      // Ended already: fine only when every device was done (a re-run after the rollout finished).
      if (hasEnded(phase)) {
        const counts = await readCounts(ctx, id, true);
        // The counts were read after the phase: they are the final ones already.
        if (endedEarly(phase, counts)) throw await stoppedEarly(ctx, id, campaign, false);
      }
      return;
    }
    await pause(ctx, deadline, id, `still ${phase}`);
  }
}

/**
 * Polls until every device is done (pending 0) or the campaign ended; stops the campaign at once when
 * more than max-failed-devices failed.
 */
export async function waitForRollout(ctx: CampaignContext, id: string, deadline: number): Promise<void> {
  const started = ctx.clock.now();
  for (;;) {
    // Counts first, then the phase: the phase is then at least as recent as the counts, so "all done and
    // still active" cannot be a campaign that stopped in between.
    const counts = await readCounts(ctx, id, true);
    const campaign = await getCampaign(ctx, id);
    const phase = phaseOf(campaign);
    ctx.emit({ type: 'progress', phase, counts, elapsedMs: ctx.clock.now() - started });
    const { maxFailedDevices } = ctx.request;
    if (maxFailedDevices !== undefined && counts.failed > maxFailedDevices) {
      const reason = `${counts.failed} devices failed, more than the ${maxFailedDevices} allowed`;
      if (isRunning(phase)) {
        ctx.emit({ type: 'stopping', campaignId: id, reason });
        ctx.logger.warning(`stopping update campaign ${id}: ${reason}`);
        await stopCampaign(ctx, id);
        await getCampaign(ctx, id);
      }
      await readFailures(ctx, id);
      throw new CampaignFailure(
        'max-failed',
        `${reason}: update campaign ${id} was stopped (phase ${ctx.result.phase})`,
        ctx.snapshot(),
        { hint: CAMPAIGN_HINTS.tooManyFailed },
      );
    }
    if (hasEnded(phase)) {
      if (endedEarly(phase, counts)) throw await stoppedEarly(ctx, id, campaign);
      return;
    }
    // Every device done, the campaign still active (it never autostops short of 100%): done. While it is
    // stopping, wait for the end, which tells a success from a stop short of the devices.
    if (counts.total > 0 && counts.pending === 0 && phase !== 'stopping') return;
    await pause(ctx, deadline, id, `${phase}, ${counts.pending} devices pending`);
  }
}

/** Fewer succeeded than min-success-percent asks: fail (the campaign is left as it is). */
export function applySuccessGate(ctx: CampaignContext, id: string): void {
  const { total, succeeded } = ctx.result.counts;
  const percent = total === 0 ? 0 : (100 * succeeded) / total;
  const wanted = ctx.request.minSuccessPercent;
  if (percent + 1e-9 >= wanted) return;
  throw new CampaignFailure(
    'gate',
    `${succeeded} of ${total} devices updated (${formatPercent(percent)}), below the ${wanted}% required: ` +
      `update campaign ${id} ended in phase ${ctx.result.phase}`,
    ctx.snapshot(),
    { hint: CAMPAIGN_HINTS.belowGate },
  );
}

export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(1))}%`;
}

/**
 * Ended before its devices finished: some still pending, or stopped by itself (quota, manifest removed…)
 * short of every device. With autostop_success_percent at its default of 100, the service stops a
 * campaign by itself on success only when every device succeeded.
 */
function endedEarly(phase: string, counts: DeviceCounts): boolean {
  return (
    counts.total === 0 || counts.pending > 0 || (phase === 'autostopped' && counts.succeeded < counts.total)
  );
}

async function stoppedEarly(
  ctx: CampaignContext,
  id: string,
  campaign: UpdateCampaign,
  /** The counts were read before the phase (the rollout wait): read them again, now final. */
  recount = true,
): Promise<CampaignFailure> {
  if (recount) await readCounts(ctx, id, true).catch(() => ctx.result.counts);
  await readFailures(ctx, id);
  const reason = ctx.result.autostopReason
    ? `: ${ctx.result.autostopReason}`
    : ' (the service gave no reason)';
  const { succeeded, total } = ctx.result.counts;
  return new CampaignFailure(
    'stopped',
    `update campaign ${id} ended in phase ${phaseOf(campaign)} with ${total - succeeded} of ${total} devices not updated${reason}`,
    ctx.snapshot(),
  );
}

/** One poll interval, or the timeout failure when the deadline would pass. */
async function pause(ctx: CampaignContext, deadline: number, id: string, where: string): Promise<void> {
  const left = deadline - ctx.clock.now();
  if (left <= 0) {
    await readFailuresBeforeGivingUp(ctx, id);
    const minutes = Number((ctx.request.timeoutMs / 60_000).toFixed(2));
    const leftAs =
      ctx.result.phase === 'stopping'
        ? 'It was not left running: the service is stopping it'
        : 'It was left running: it was NOT stopped and goes on updating devices';
    throw new CampaignFailure(
      'timeout',
      `gave up waiting after the timeout of ${minutes} min: update campaign ${id} is ${where}. ${leftAs}`,
      ctx.snapshot(),
      { hint: CAMPAIGN_HINTS.timedOut },
    );
  }
  await ctx.clock.sleep(Math.min(ctx.request.pollIntervalMs, left), ctx.signal);
}
