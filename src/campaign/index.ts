export { runCampaign } from './run.js';
export { CampaignFailure, type CampaignFailureKind } from './errors.js';
export { hasEnded, hasStarted, phaseOf } from './phases.js';
export type * from './types.js';
export { DEFAULT_POLL_INTERVAL_MS } from './types.js';
