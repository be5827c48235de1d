export { runCampaign } from './run.js';
export { formatPercent } from './rollout.js';
export { CampaignFailure, type CampaignFailureKind } from './errors.js';
export type * from './types.js';
export { DEFAULT_POLL_INTERVAL_MS } from './types.js';
