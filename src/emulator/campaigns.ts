// Update campaigns and their lifecycle: draft → starting → active → stopping → stopped / autostopped.
// Time is the emulator's clock (injectable, so tests move it instead of waiting): every read brings a
// campaign up to date with it, so phases and device outcomes follow from the scripts deterministically.
import type {
  CampaignDeviceMetadata,
  CampaignMetrics,
  DeploymentState,
  EventType,
  EventTypeSummary,
  UpdateCampaign,
  UpdateCampaignRequest,
} from '../api/release.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../api/types.js';
import type { DeviceTable } from './devices.js';
import { ApiError, type FieldError, notFound } from './errors.js';
import { newId, timestamp } from './ids.js';
import type { ManifestStore } from './manifests.js';
import type { CampaignTiming } from './types.js';

const DEFAULT_TIMING: Required<CampaignTiming> = {
  startingMs: 2000,
  stoppingMs: 1000,
  autostoppedSpelling: 'autostopped',
};

export const CAMPAIGN_FILTERS = [
  'id',
  'name',
  'description',
  'device_filter',
  'root_manifest_id',
  'phase',
  'state',
  'created_at',
  'updated_at',
  'etag',
];
export const DEVICE_METADATA_FILTERS = ['id', 'device_id', 'deployment_state', 'created_at', 'updated_at'];

export const REASONS = {
  quota: 'Insufficient billing credit.',
  manifestRemoved: 'The campaign manifest was removed.',
  threshold: 'Success threshold reached.',
  noPayload: "the manifest's payload is not a firmware image of this account",
} as const;

interface CampaignDevice {
  metadataId: string;
  deviceId: string;
  state: DeploymentState;
  description: string;
  createdAt: string;
  updatedAt: string;
}

interface CampaignRecord {
  id: string;
  name: string;
  description: string;
  deviceFilter: string;
  rootManifestId: string;
  strategy: 'one-shot' | 'continuous';
  autostop: boolean;
  autostopPercent: number;
  phase: 'draft' | 'starting' | 'active' | 'stopping' | 'stopped' | 'autostopped';
  autostopReason?: string;
  /** Emulator-clock times (ms) of the transitions in progress. */
  startRequestedAt?: number;
  activeAt?: number;
  stopRequestedAt?: number;
  stopKind?: 'user' | 'auto';
  /** Fixed when the campaign becomes active (one-shot). */
  devices: CampaignDevice[];
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  activeAtText?: string;
  stoppedAt?: string;
}

export class CampaignStore {
  private readonly campaigns = new Map<string, CampaignRecord>();
  private readonly timing: Required<CampaignTiming>;

  constructor(
    private readonly deps: {
      devices: DeviceTable;
      manifests: ManifestStore;
      now: () => number;
      /** A campaign over this many devices stops while starting, as on an account without credit. */
      deviceQuota?: number;
    },
    timing: CampaignTiming = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  create(request: unknown): CampaignRecord {
    const fields = validate(request);
    this.deps.manifests.manifest(fields.root_manifest_id); // 404 for an unknown manifest
    this.deps.devices.matching(fields.device_filter); // 400 for a filter the device list cannot apply
    const now = timestamp();
    const campaign: CampaignRecord = {
      id: newId(),
      name: fields.name ?? 'default_object_name',
      description: fields.description ?? '',
      deviceFilter: fields.device_filter,
      rootManifestId: fields.root_manifest_id,
      strategy: fields.campaign_strategy ?? 'one-shot',
      autostop: fields.autostop ?? true,
      autostopPercent: fields.autostop_success_percent ?? 100,
      phase: 'draft',
      devices: [],
      createdAt: now,
      updatedAt: now,
    };
    this.campaigns.set(campaign.id, campaign);
    return campaign;
  }

  campaign(id: string): CampaignRecord {
    const campaign = this.campaigns.get(id);
    if (!campaign) throw notFound('Update campaign', id);
    return this.refresh(campaign);
  }

  all(): CampaignRecord[] {
    return [...this.campaigns.values()].map((c) => this.refresh(c));
  }

  start(id: string): void {
    const campaign = this.campaign(id);
    if (campaign.phase !== 'draft') {
      throw new ApiError(
        409,
        `Update campaign ${id} is ${campaign.phase}; only a draft campaign can be started`,
      );
    }
    campaign.phase = 'starting';
    campaign.startRequestedAt = this.deps.now();
    campaign.startedAt = timestamp();
    campaign.updatedAt = campaign.startedAt;
  }

  stop(id: string): void {
    const campaign = this.campaign(id);
    if (campaign.phase !== 'starting' && campaign.phase !== 'active') {
      throw new ApiError(
        409,
        `Update campaign ${id} is ${campaign.phase}; only a starting or active campaign can be stopped`,
      );
    }
    this.beginStop(campaign, 'user', this.deps.now());
  }

  delete(id: string): void {
    const campaign = this.campaign(id);
    if (['starting', 'active', 'stopping'].includes(campaign.phase)) {
      throw new ApiError(409, `Update campaign ${id} is ${campaign.phase}; stop it before deleting it`);
    }
    this.campaigns.delete(id);
  }

  /** Metrics exist once the campaign has started (the contract: 404 before). */
  metrics(id: string): CampaignMetrics {
    const campaign = this.campaign(id);
    if (campaign.phase === 'draft')
      throw new ApiError(404, `Update campaign ${id} has no metrics before it starts`);
    const count = (states: DeploymentState[]) =>
      campaign.devices.filter((d) => states.includes(d.state)).length;
    const success = count(['deployed']);
    const failed = count(['failed_connector_channel_update', 'manifestremoved', 'deregistered']);
    return {
      object: 'update-campaign-metrics',
      total_count: campaign.devices.length,
      success_count: success,
      failed_count: failed,
      skipped_count: 0,
      pending_count: campaign.devices.length - success - failed,
      created_at: campaign.startedAt ?? campaign.createdAt,
    };
  }

  statistics(id: string): EventTypeSummary[] {
    const metrics = this.metrics(id);
    const at = metrics.created_at;
    const summary = (sid: EventTypeSummary['id'], count: number): EventTypeSummary => ({
      object: 'summary_status',
      id: sid,
      summary_status: sid.toUpperCase() as EventTypeSummary['summary_status'],
      campaign_id: id,
      count,
      created_at: at,
    });
    return [
      summary('fail', metrics.failed_count),
      summary('success', metrics.success_count),
      summary('info', metrics.pending_count),
      summary('skipped', metrics.skipped_count),
    ];
  }

  /** Events of one summary status, grouped by what the devices reported. */
  eventTypes(id: string, summaryStatusId: string): EventType[] {
    const campaign = this.campaign(id);
    const wanted: Record<string, (d: CampaignDevice) => boolean> = {
      fail: (d) => d.state !== 'deployed' && d.state !== 'pending',
      success: (d) => d.state === 'deployed',
      info: (d) => d.state === 'pending',
      skipped: () => false,
    };
    const select = wanted[summaryStatusId];
    if (!select)
      throw new ApiError(404, `No summary status ${summaryStatusId}; use fail, success, info or skipped`);
    const groups = new Map<string, number>();
    for (const device of campaign.devices.filter(select)) {
      groups.set(device.description, (groups.get(device.description) ?? 0) + 1);
    }
    return [...groups].map(([description, count], i) => ({
      object: 'event-type',
      id: `upd_${summaryStatusId}_${101 + i}`,
      campaign_id: id,
      event_type: `UPD4_${summaryStatusId.toUpperCase()}_${101 + i}`,
      summary_status: summaryStatusId.toUpperCase(),
      summary_status_id: summaryStatusId,
      description,
      count,
      created_at: campaign.startedAt ?? campaign.createdAt,
    }));
  }

  deviceMetadata(id: string): CampaignDeviceMetadata[] {
    const campaign = this.campaign(id);
    return campaign.devices.map((d) => ({
      object: 'update-campaign-device-metadata',
      id: d.metadataId,
      campaign: id,
      device_id: d.deviceId,
      deployment_state: d.state,
      mechanism: 'connector',
      name: 'default_object_name',
      description: d.description,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      etag: d.updatedAt,
    }));
  }

  view(campaign: CampaignRecord, baseUrl: string): UpdateCampaign {
    const phase = campaign.phase === 'autostopped' ? this.timing.autostoppedSpelling : campaign.phase;
    return {
      object: 'update-campaign',
      id: campaign.id,
      name: campaign.name,
      description: campaign.description,
      device_filter: campaign.deviceFilter,
      root_manifest_id: campaign.rootManifestId,
      root_manifest_url: `${baseUrl}/v3/firmware-manifests/${campaign.rootManifestId}`,
      campaign_strategy: campaign.strategy,
      autostop: campaign.autostop,
      autostop_success_percent: campaign.autostopPercent,
      ...(campaign.autostopReason !== undefined && { autostop_reason: campaign.autostopReason }),
      approval_required: false,
      phase,
      state: stateOf(campaign),
      ...(campaign.startedAt && { started_at: campaign.startedAt }),
      ...(campaign.activeAtText && { active_at: campaign.activeAtText }),
      ...(campaign.stoppedAt && { stopped_at: campaign.stoppedAt, finished: campaign.stoppedAt }),
      created_at: campaign.createdAt,
      updated_at: campaign.updatedAt,
      etag: campaign.updatedAt,
    };
  }

  /** Brings the campaign up to the emulator clock's now. */
  private refresh(campaign: CampaignRecord): CampaignRecord {
    const now = this.deps.now();
    if (campaign.phase === 'starting' && now >= campaign.startRequestedAt! + this.timing.startingMs) {
      this.activate(campaign, campaign.startRequestedAt! + this.timing.startingMs);
    }
    if (campaign.phase === 'active') this.advanceDevices(campaign, now);
    if (campaign.phase === 'stopping' && now >= campaign.stopRequestedAt! + this.timing.stoppingMs) {
      campaign.phase = campaign.stopKind === 'user' ? 'stopped' : 'autostopped';
      campaign.stoppedAt = timestamp();
      campaign.updatedAt = campaign.stoppedAt;
    }
    return campaign;
  }

  private activate(campaign: CampaignRecord, at: number): void {
    const devices = this.deps.devices.matching(campaign.deviceFilter);
    const now = timestamp();
    campaign.devices = devices.map((d) => ({
      metadataId: newId(),
      deviceId: d.id,
      state: 'pending',
      description: 'waiting for the device',
      createdAt: now,
      updatedAt: now,
    }));
    const { deviceQuota } = this.deps;
    if (deviceQuota !== undefined && devices.length > deviceQuota) {
      return this.beginStop(campaign, 'auto', at, REASONS.quota);
    }
    if (!this.deps.manifests.has(campaign.rootManifestId)) {
      return this.beginStop(campaign, 'auto', at, REASONS.manifestRemoved);
    }
    campaign.phase = 'active';
    campaign.activeAt = at;
    campaign.activeAtText = now;
    campaign.updatedAt = now;
  }

  private advanceDevices(campaign: CampaignRecord, now: number): void {
    if (!this.deps.manifests.has(campaign.rootManifestId)) {
      for (const device of campaign.devices.filter((d) => d.state === 'pending')) {
        this.setDeviceState(device, 'manifestremoved', 'the manifest was removed before the device updated');
      }
      return this.beginStop(campaign, 'auto', now, REASONS.manifestRemoved);
    }
    const delivered = this.deps.manifests.manifest(campaign.rootManifestId).delivered;
    for (const device of campaign.devices.filter((d) => d.state === 'pending')) {
      const script = this.deps.devices.device(device.deviceId).script;
      if (script.outcome === 'silent' || now < campaign.activeAt! + script.afterMs) continue;
      if (script.outcome === 'fail') {
        this.setDeviceState(device, 'failed_connector_channel_update', script.reason);
      } else if (!delivered) {
        this.setDeviceState(device, 'failed_connector_channel_update', REASONS.noPayload);
      } else {
        this.setDeviceState(device, 'deployed', 'the device installed the update');
        this.deps.devices.deployed(device.deviceId, delivered.sha256Hex);
      }
    }
    const total = campaign.devices.length;
    const succeeded = campaign.devices.filter((d) => d.state === 'deployed').length;
    if (campaign.autostop && total > 0 && (100 * succeeded) / total >= campaign.autostopPercent) {
      this.beginStop(campaign, 'auto', now, REASONS.threshold);
    }
  }

  private setDeviceState(device: CampaignDevice, state: DeploymentState, description: string): void {
    device.state = state;
    device.description = description;
    device.updatedAt = timestamp();
  }

  private beginStop(campaign: CampaignRecord, kind: 'user' | 'auto', at: number, reason?: string): void {
    campaign.phase = 'stopping';
    campaign.stopKind = kind;
    campaign.stopRequestedAt = at;
    if (reason !== undefined) campaign.autostopReason = reason;
    campaign.updatedAt = timestamp();
    // A stop that is already due (e.g. zero stopping time) completes on this read.
    this.refresh(campaign);
  }
}

/** The deprecated `state`, derived from the phase as the service words it. */
function stateOf(campaign: CampaignRecord): string {
  switch (campaign.phase) {
    case 'draft':
      return 'draft';
    case 'starting':
      return 'allocatingquota';
    case 'active':
      return 'deployed';
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'userstopped';
    case 'autostopped':
      return campaign.autostopReason === REASONS.quota ? 'quotaallocationfailed' : 'autostopped';
  }
}

function validate(request: unknown): UpdateCampaignRequest {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new ApiError(400, 'The request body must be a JSON object with device_filter and root_manifest_id');
  }
  const body = request as Record<string, unknown>;
  const errors: FieldError[] = [];
  const text = (field: string, max: number, required = false) => {
    const value = body[field];
    if (value === undefined || value === '') {
      if (required) errors.push({ name: field, message: 'is required' });
    } else if (typeof value !== 'string') errors.push({ name: field, message: 'must be a string' });
    else if (value.length > max) errors.push({ name: field, message: `must be at most ${max} characters` });
  };
  text('name', MAX_NAME_LENGTH);
  text('description', MAX_DESCRIPTION_LENGTH);
  text('device_filter', 10_000, true);
  text('root_manifest_id', 32, true);
  const strategy = body.campaign_strategy;
  if (strategy !== undefined && strategy !== 'one-shot' && strategy !== 'continuous') {
    errors.push({ name: 'campaign_strategy', message: 'must be one-shot or continuous' });
  }
  if (body.autostop !== undefined && typeof body.autostop !== 'boolean') {
    errors.push({ name: 'autostop', message: 'must be a boolean' });
  }
  const percent = body.autostop_success_percent;
  if (percent !== undefined && !(typeof percent === 'number' && percent >= 0 && percent <= 100)) {
    errors.push({ name: 'autostop_success_percent', message: 'must be a number from 0 to 100' });
  }
  if (errors.length > 0) {
    throw new ApiError(
      400,
      `Validation error: ${errors.map((e) => `${e.name} ${e.message}`).join('; ')}`,
      errors,
    );
  }
  return body as unknown as UpdateCampaignRequest;
}

export type { CampaignRecord };
