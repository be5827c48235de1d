// runCampaign(): count the devices, find or upload the manifest, find or create the campaign, start it,
// wait for it, gate on the result. A re-run of the same release finds what its earlier run made and
// resumes; nothing is ever created twice.
import { ServiceError } from '../client/index.js';
import { InputError } from '../inputs/index.js';
import { CampaignContext } from './context.js';
import { CampaignFailure } from './errors.js';
import { CAMPAIGN_HINTS } from './hints.js';
import {
  ensureManifest,
  lookUpManifest,
  manifestNameTaken,
  readManifestFile,
  type ManifestFile,
} from './manifest.js';
import { readCounts, readFailures, readFailuresBeforeGivingUp } from './device-results.js';
import { hasEnded, hasStarted, phaseOf } from './phases.js';
import {
  applySuccessGate,
  campaignNameTaken,
  ensureCampaign,
  formatPercent,
  lookUpCampaign,
  startCampaign,
  waitForRollout,
  waitForStart,
} from './rollout.js';
import type { CampaignDeps, CampaignRequest, CampaignResult } from './types.js';

export async function runCampaign(request: CampaignRequest, deps: CampaignDeps): Promise<CampaignResult> {
  const ctx = new CampaignContext(request, deps);
  const deadline = ctx.clock.now() + request.timeoutMs;
  const file = await readManifestFile(request.manifestPath);
  try {
    return await (request.dryRun ? dryRun(ctx, file) : realRun(ctx, file, deadline));
  } catch (error) {
    throw await asFailure(ctx, error);
  }
}

async function realRun(ctx: CampaignContext, file: ManifestFile, deadline: number): Promise<CampaignResult> {
  const { request, result } = ctx;
  // A re-run looks for what its earlier run made first: an existing campaign needs no device check. The
  // look-ups are handed on, so each list is read once.
  const manifests = await lookUpManifest(ctx, file);
  const campaigns = manifests.ours && (await lookUpCampaign(ctx, manifests.ours.id));
  const devices = await countDevices(ctx, campaigns?.ours === undefined);

  const { manifest, how: manifestHow } = await ensureManifest(ctx, file, manifests);
  result.manifestId = manifest.id;
  ctx.logger.info(`${verb(manifestHow)} firmware manifest ${manifest.id} ("${manifest.name}")`);

  // Only a manifest found under the name has had its campaign looked up; a new one is looked up now.
  const { campaign, how } = await ensureCampaign(
    ctx,
    manifest.id,
    manifestHow === 'found' ? campaigns : undefined,
  );
  const id = campaign.id;
  result.campaignId = id;
  result.phase = phaseOf(campaign);
  result.outcome = how === 'found' ? 'resumed' : 'created';
  ctx.logger.info(
    `${verb(how)} update campaign ${id} ("${campaign.name}", phase ${result.phase}) for ${devices} devices`,
  );

  if (!request.start) {
    result.counts = await readCounts(ctx, id, hasStarted(result.phase));
    result.conclusion =
      result.phase === 'draft'
        ? 'left as a draft (start: false); start it from the portal or with start: true'
        : `in phase ${result.phase}; not started by this run (start: false)`;
    return ctx.snapshot();
  }
  if (result.phase === 'draft') await startCampaign(ctx, id);
  await waitForStart(ctx, id, deadline);
  if (!request.wait) {
    result.counts = await readCounts(ctx, id, true);
    result.conclusion = `started (phase ${result.phase}); not waiting for the rollout (wait: false)`;
    return ctx.snapshot();
  }
  result.waited = true;
  await waitForRollout(ctx, id, deadline);
  await readFailures(ctx, id);
  applySuccessGate(ctx, id);
  const { succeeded, total } = result.counts;
  result.conclusion =
    `rollout done: ${succeeded} of ${total} devices updated (${formatPercent((100 * succeeded) / total)})` +
    (result.phase === 'active'
      ? '; the campaign stays active (the service stops it by itself only when every device succeeded)'
      : '');
  return ctx.snapshot();
}

/** Read-only: counts the devices, checks the manifest and the names, and says what a real run would do. */
async function dryRun(ctx: CampaignContext, file: ManifestFile): Promise<CampaignResult> {
  const { request, result } = ctx;
  const plan: string[] = [];
  const { ours, others } = await lookUpManifest(ctx, file);
  const campaigns = ours && (await lookUpCampaign(ctx, ours.id));
  const campaign = campaigns?.ours;
  const devices = await countDevices(ctx, campaign === undefined);
  if (ours) {
    result.manifestId = ours.id;
    plan.push(`use firmware manifest ${ours.id} ("${ours.name}"), uploaded by an earlier run`);
  } else if (others.length > 0) {
    throw manifestNameTaken(ctx, others[0]!);
  } else {
    plan.push(
      `upload the manifest ${file.fileName} (${file.data.length} bytes) as "${request.manifestName}"`,
    );
  }
  if (campaigns?.filterDiffers) throw campaignNameTaken(ctx, campaigns.filterDiffers);
  if (campaign) {
    result.campaignId = campaign.id;
    result.phase = phaseOf(campaign);
    plan.push(`resume update campaign ${campaign.id} ("${campaign.name}", phase ${result.phase})`);
  } else {
    plan.push(
      `create update campaign "${request.campaignName}" for the ${devices} devices of \`${request.deviceFilter}\``,
    );
  }
  if (request.start) plan.push('start it and wait until its phase leaves draft/starting');
  else plan.push('leave it a draft (start: false)');
  if (request.start && request.wait) {
    const gates = [`min-success-percent ${request.minSuccessPercent}`];
    if (request.maxFailedDevices !== undefined) gates.push(`max-failed-devices ${request.maxFailedDevices}`);
    plan.push(
      `wait up to ${request.timeoutMs / 60_000} min for the rollout, gated on ${gates.join(' and ')}`,
    );
  }
  result.plan = plan;
  result.conclusion = 'dry run: nothing was created, changed or started';
  for (const line of plan) ctx.logger.info(`dry run: a real run would ${line}`);
  return ctx.snapshot();
}

/** The devices the filter matches; none is a failure before anything is created (unless resuming). */
async function countDevices(ctx: CampaignContext, mustMatch: boolean): Promise<number> {
  const filter = ctx.request.deviceFilter;
  const devices = await ctx.session.repeatable('list devices', () => ctx.client.devicesMatching(filter));
  ctx.result.counts = { total: devices.length, succeeded: 0, failed: 0, pending: devices.length };
  ctx.logger.info(`the device filter \`${filter}\` matches ${devices.length} devices`);
  if (devices.length === 0 && mustMatch) {
    throw new CampaignFailure(
      'precondition',
      `${ctx.request.dryRun ? 'dry run: a real run would fail: ' : ''}the device filter \`${filter}\` matches no devices; ` +
        'nothing was created',
      ctx.snapshot(),
      { hint: CAMPAIGN_HINTS.noDevices },
    );
  }
  return devices.length;
}

function verb(how: 'created' | 'adopted' | 'found'): string {
  return how === 'found'
    ? 'found (an earlier run made it)'
    : how === 'adopted'
      ? 'created (answer lost, found by name)'
      : 'created';
}

/** Every failure leaves as a CampaignFailure that says what state the campaign was left in. */
async function asFailure(ctx: CampaignContext, error: unknown): Promise<unknown> {
  if (error instanceof CampaignFailure || error instanceof InputError) return error;
  const cancelled = ctx.signal?.aborted === true;
  const { campaignId, phase } = ctx.result;
  if (cancelled && campaignId !== undefined && phase !== undefined && hasStarted(phase))
    await readFailuresBeforeGivingUp(ctx, campaignId);
  const where = leftIn(ctx, cancelled);
  if (cancelled) {
    return new CampaignFailure('cancelled', `cancelled: stopped waiting; ${where}`, ctx.snapshot(), {
      cause: error,
      hint: CAMPAIGN_HINTS.cancelled,
    });
  }
  if (error instanceof ServiceError) {
    return new CampaignFailure('service', `${error.message}; ${where}`, ctx.snapshot(), {
      cause: error,
      hint: error.advice,
    });
  }
  return error;
}

/**
 * Where the run leaves the campaign, as far as it knows: a create or start cut off by a cancel may have
 * taken (the cancelled hint says a re-run finds it).
 */
function leftIn(ctx: CampaignContext, cancelled: boolean): string {
  const { campaignId: id, campaignName, manifestId, phase = 'unknown' } = ctx.result;
  const unanswered = cancelled ? ctx.unanswered : undefined;
  if (id === undefined) {
    return unanswered && manifestId !== undefined
      ? `update campaign "${campaignName}" may have been created (the service had not answered yet)`
      : 'no campaign had been created yet';
  }
  if (unanswered) {
    return `update campaign ${id} may have been started (the service had not answered yet)`;
  }
  if (phase === 'draft') return `update campaign ${id} was left a draft (not started)`;
  if (phase === 'stopping') return `update campaign ${id} is stopping: the service is ending it`;
  if (hasEnded(phase)) return `update campaign ${id} has ended (phase ${phase})`;
  return `update campaign ${id} was left in phase ${phase}; it was NOT stopped and keeps running`;
}
