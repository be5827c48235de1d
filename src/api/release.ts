// Wire types of the release side of the service: firmware manifests, update campaigns, their metrics,
// statistics and device metadata, and the device directory. Shared by the client and the emulator.

/** The contract: "The API enforces a maximum manifest size of 2KB" (over it: 400). */
export const MAX_MANIFEST_SIZE = 2 * 1024;
/** The contract: the manifest's `datafile` file name must not exceed 100 characters. */
export const MAX_MANIFEST_FILE_NAME = 100;

export const releasePaths = {
  firmwareManifests: '/v3/firmware-manifests',
  firmwareManifest: (id: string) => `/v3/firmware-manifests/${encodeURIComponent(id)}`,
  campaigns: '/v3/update-campaigns',
  campaign: (id: string) => `/v3/update-campaigns/${encodeURIComponent(id)}`,
  startCampaign: (id: string) => `/v3/update-campaigns/${encodeURIComponent(id)}/start`,
  stopCampaign: (id: string) => `/v3/update-campaigns/${encodeURIComponent(id)}/stop`,
  campaignMetrics: (id: string) => `/v3/update-campaigns/${encodeURIComponent(id)}/metrics`,
  campaignStatistics: (id: string) => `/v3/update-campaigns/${encodeURIComponent(id)}/statistics`,
  campaignEventTypes: (id: string, summaryStatus: string) =>
    `/v3/update-campaigns/${encodeURIComponent(id)}/statistics/${encodeURIComponent(summaryStatus)}/event_types`,
  campaignDeviceMetadata: (id: string) =>
    `/v3/update-campaigns/${encodeURIComponent(id)}/campaign-device-metadata`,
  devices: '/v3/devices',
} as const;

export interface FirmwareManifest {
  object: 'firmware-manifest';
  id: string;
  name: string;
  description: string;
  /** URL of the manifest file. */
  datafile: string;
  datafile_size: number;
  /** The image the manifest delivers, when the service recognised it. */
  delivered_payload_url?: string;
  delivered_payload_digest?: string;
  delivered_payload_size?: number;
  created_at: string;
  updated_at: string;
  etag: string;
}

/**
 * The contract's phases, plus the ends the live service also reports: `autostopped`, spelled
 * `auto_stopped` by some of its answers and clients. normalizePhase() folds the spellings.
 */
export type CampaignPhase =
  | 'draft'
  | 'awaiting_approval'
  | 'timed'
  | 'starting'
  | 'active'
  | 'stopping'
  | 'stopped'
  | 'autostopped'
  | 'deleted'
  | 'archived'
  | (string & {});

export interface UpdateCampaign {
  object: 'update-campaign';
  id: string;
  name: string;
  description: string;
  device_filter: string;
  root_manifest_id: string;
  root_manifest_url?: string;
  campaign_strategy: 'one-shot' | 'continuous';
  autostop: boolean;
  autostop_success_percent: number;
  /** Why the campaign stopped by itself or failed to start. */
  autostop_reason?: string;
  approval_required?: boolean;
  phase: CampaignPhase;
  /** Deprecated twin of `phase` (e.g. `autostopped`, `userstopped`, `allocatingquota`). */
  state?: string;
  started_at?: string;
  active_at?: string;
  stopped_at?: string;
  finished?: string;
  created_at: string;
  updated_at: string;
  etag: string;
}

export interface UpdateCampaignRequest {
  name: string;
  description?: string;
  device_filter: string;
  root_manifest_id: string;
  campaign_strategy?: 'one-shot' | 'continuous';
  autostop?: boolean;
  autostop_success_percent?: number;
}

export interface CampaignMetrics {
  object: 'update-campaign-metrics';
  total_count: number;
  success_count: number;
  failed_count: number;
  skipped_count: number;
  pending_count: number;
  created_at: string;
}

export type DeploymentState =
  | 'pending'
  | 'updated_connector_channel'
  | 'failed_connector_channel_update'
  | 'deployed'
  | 'manifestremoved'
  | 'deregistered'
  | (string & {});

export interface CampaignDeviceMetadata {
  object: 'update-campaign-device-metadata';
  id: string;
  campaign: string;
  device_id: string;
  deployment_state: DeploymentState;
  mechanism: string;
  name: string;
  /** What happened on the device (the failure reason on a failed one). */
  description: string;
  created_at: string;
  updated_at: string;
  etag: string;
}

export type SummaryStatusId = 'fail' | 'success' | 'info' | 'skipped';

export interface EventTypeSummary {
  object: 'summary_status';
  id: SummaryStatusId;
  summary_status: 'FAIL' | 'SUCCESS' | 'INFO' | 'SKIPPED';
  campaign_id: string;
  count: number;
  created_at: string;
}

export interface EventType {
  object: 'event-type';
  id: string;
  campaign_id: string;
  event_type: string;
  summary_status: string;
  summary_status_id: string;
  description: string;
  count: number;
  created_at: string;
}

export interface Device {
  object: 'device';
  id: string;
  name: string;
  device_class: string;
  vendor_id: string;
  /** SHA-256 (hex) of the image the device runs. */
  firmware_checksum: string;
  state: string;
  created_at: string;
  updated_at: string;
  etag: string;
}

/** One spelling per phase: lower case, no underscores in the stopped states (`auto_stopped` → `autostopped`). */
export function normalizePhase(phase: string | undefined): CampaignPhase {
  // Only letters and underscores: a phase is a word, never text that could break a log line.
  const word = (phase ?? '').toLowerCase().replace(/[^a-z_]/g, '');
  return word.endsWith('stopped') ? word.replace(/_/g, '') : word;
}

/** A device failed in this campaign: neither updated nor still on its way (manifest-tool's rule, minus pending). */
export function isDeviceFailed(state: DeploymentState): boolean {
  return state !== 'deployed' && state !== 'pending';
}
