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
} from '../api/release.js';
import {
  REASONS,
  stateOf,
  validateCampaignRequest,
  type CampaignDevice,
  type CampaignRecord,
} from './campaign-records.js';
import {
  campaignDeviceMetadata,
  campaignEventTypes,
  campaignMetrics,
  campaignStatistics,
} from './campaign-reports.js';
import type { DeviceTable } from './devices.js';
import { ApiError, found } from './errors.js';
import { newId, timestamp } from './ids.js';
import type { ManifestStore } from './manifests.js';
import type { CampaignTiming } from './types.js';

const DEFAULT_TIMING: Required<CampaignTiming> = {
  startingMs: 2000,
  stoppingMs: 1000,
  autostoppedSpelling: 'autostopped',
};

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
    const fields = validateCampaignRequest(request);
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
    return this.refresh(found(this.campaigns.get(id), 'Update campaign', id));
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
    return campaignMetrics(this.campaign(id));
  }

  statistics(id: string): EventTypeSummary[] {
    return campaignStatistics(this.campaign(id));
  }

  /** Events of one summary status, grouped by what the devices reported. */
  eventTypes(id: string, summaryStatusId: string): EventType[] {
    return campaignEventTypes(this.campaign(id), summaryStatusId);
  }

  deviceMetadata(id: string): CampaignDeviceMetadata[] {
    return campaignDeviceMetadata(this.campaign(id));
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
