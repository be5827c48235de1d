// Update campaigns as the emulator keeps them: the record, its closed set of phases, the deprecated
// `state` each phase maps to, the stop reasons the service words, and the check of a create request.
import type { DeploymentState, UpdateCampaignRequest } from '../api/release.js';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../api/types.js';
import { ApiError, validationErrors, type FieldError } from './errors.js';

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

/** draft → starting → active → stopping → stopped / autostopped. */
export const CAMPAIGN_PHASES = ['draft', 'starting', 'active', 'stopping', 'stopped', 'autostopped'] as const;
export type CampaignPhase = (typeof CAMPAIGN_PHASES)[number];

export interface CampaignDevice {
  metadataId: string;
  deviceId: string;
  state: DeploymentState;
  description: string;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignRecord {
  id: string;
  name: string;
  description: string;
  deviceFilter: string;
  rootManifestId: string;
  strategy: 'one-shot' | 'continuous';
  autostop: boolean;
  autostopPercent: number;
  phase: CampaignPhase;
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

/** The deprecated `state` of each phase, as the service words it (a new phase must say its state). */
const STATE_OF_PHASE = {
  draft: 'draft',
  starting: 'allocatingquota',
  active: 'deployed',
  stopping: 'stopping',
  stopped: 'userstopped',
  autostopped: 'autostopped',
} as const satisfies Record<CampaignPhase, string>;

/** The deprecated `state`, derived from the phase (a quota stop has its own). */
export function stateOf(campaign: CampaignRecord): string {
  if (campaign.phase === 'autostopped' && campaign.autostopReason === REASONS.quota)
    return 'quotaallocationfailed';
  return STATE_OF_PHASE[campaign.phase];
}

/** A create request as the service checks it: every problem named per field. */
export function validateCampaignRequest(request: unknown): UpdateCampaignRequest {
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
  if (errors.length > 0) throw validationErrors(errors);
  return body as unknown as UpdateCampaignRequest;
}
