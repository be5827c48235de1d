// The campaign step's outputs (names as in campaign/action.yml), from its result: on success, and from a
// failure's result too, so a later step can still read the campaign, its phase and its counts.
import type { CampaignResult } from '../campaign/index.js';

export type CampaignOutputName =
  | 'manifest_id'
  | 'campaign_id'
  | 'phase'
  | 'devices_total'
  | 'devices_succeeded'
  | 'devices_failed'
  | 'devices_pending'
  | 'failed_devices'
  | 'outcome';

/** Ids, phase and outcome only when known (a dry run or an early failure created nothing). */
export function campaignOutputsFor(result: CampaignResult): Partial<Record<CampaignOutputName, string>> {
  const { counts } = result;
  return {
    ...(result.manifestId && { manifest_id: result.manifestId }),
    ...(result.campaignId && { campaign_id: result.campaignId }),
    ...(result.phase && { phase: result.phase }),
    devices_total: String(counts.total),
    devices_succeeded: String(counts.succeeded),
    devices_failed: String(counts.failed),
    devices_pending: String(counts.pending),
    failed_devices: JSON.stringify(result.failedDevices),
    ...((result.campaignId || result.outcome === 'dry-run') && { outcome: result.outcome }),
  };
}
