// The campaign step's public shapes: what runCampaign() takes, what it reports while it runs, and what it
// returns (or carries in its failures).
import type { DeviceManagementClient } from '../client/index.js';
import type { StepDeps } from '../common/step.js';

/** Between two reads of the campaign while waiting (manifest-tool polls every 3 s; a rollout takes minutes). */
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

/** Settings resolved by the caller: names decided, the manifest file located. */
export interface CampaignRequest {
  manifestPath: string;
  manifestName: string;
  campaignName: string;
  description?: string;
  deviceFilter: string;
  start: boolean;
  wait: boolean;
  /** The longest the step waits: for the start to take, then (wait) for the rollout. */
  timeoutMs: number;
  minSuccessPercent: number;
  /** undefined: no limit. */
  maxFailedDevices?: number;
  dryRun: boolean;
  /** Extra attempts after the first, per request. */
  maxRetries: number;
  /** Between two reads of the campaign while waiting. */
  pollIntervalMs: number;
}

/** Aborting `signal` stops the waiting (never the campaign). */
export type CampaignDeps = StepDeps<DeviceManagementClient, CampaignEvent>;

export interface DeviceCounts {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export interface FailedDevice {
  device_id: string;
  reason: string;
}

export type CampaignEvent =
  | { type: 'progress'; phase: string; counts: DeviceCounts; elapsedMs: number }
  | { type: 'stopping'; campaignId: string; reason: string }
  | { type: 'retry'; operation: string; attempt: number; delayMs: number; error: Error };

/** What a campaign run did: the campaign action's `outcome` output names each (checked by `docs --check`). */
export const CAMPAIGN_OUTCOMES = ['created', 'resumed', 'dry-run'] as const;
export type CampaignOutcome = (typeof CAMPAIGN_OUTCOMES)[number];

export interface CampaignResult {
  outcome: CampaignOutcome;
  manifestName: string;
  campaignName: string;
  manifestId?: string;
  campaignId?: string;
  /** As the service reported it last, in one spelling (normalizePhase). */
  phase?: string;
  autostopReason?: string;
  counts: DeviceCounts;
  failedDevices: FailedDevice[];
  /** Failure event types the service grouped (description and count), when read. */
  failureEvents: { description: string; count: number }[];
  /** Whether the step waited for the rollout to end. */
  waited: boolean;
  /** What happened in words: 'rollout done', 'started; not waiting (wait: false)'… */
  conclusion: string;
  durationMs: number;
  /** Retries made, over every request of the run. */
  retryCount: number;
  warnings: string[];
  /** Dry run only: what a real run would do. */
  plan?: string[];
}
