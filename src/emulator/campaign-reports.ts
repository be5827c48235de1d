// What a campaign reports once started: metrics, statistics by summary status, the event types devices
// reported, and the per-device metadata, all derived from the campaign's devices.
import type {
  CampaignDeviceMetadata,
  CampaignMetrics,
  DeploymentState,
  EventType,
  EventTypeSummary,
} from '../api/release.js';
import type { CampaignDevice, CampaignRecord } from './campaign-records.js';
import { ApiError } from './errors.js';

/** Metrics exist once the campaign has started (the contract: 404 before). */
export function campaignMetrics(campaign: CampaignRecord): CampaignMetrics {
  const { id } = campaign;
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

export function campaignStatistics(campaign: CampaignRecord): EventTypeSummary[] {
  const { id } = campaign;
  const metrics = campaignMetrics(campaign);
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
export function campaignEventTypes(campaign: CampaignRecord, summaryStatusId: string): EventType[] {
  const { id } = campaign;
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

export function campaignDeviceMetadata(campaign: CampaignRecord): CampaignDeviceMetadata[] {
  const { id } = campaign;
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
