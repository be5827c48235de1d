// The application layer (docs/design.md): what every entry point composes a run from.
export { CANCEL_DEADLINE_MS, CancelPolicy, type CancelPolicyOptions } from './cancel.js';
export {
  deviceManagementClient,
  updateServiceClient,
  type ClientDeps,
  type ClientSettings,
} from './clients.js';
export { prepareCampaign, preparePublish, type PreparedCampaign, type PreparedPublish } from './prepare.js';
export {
  runCampaignStep,
  runPublish,
  type CampaignRunContext,
  type PublishContext,
  type RunBasics,
  type RunContext,
} from './run.js';
