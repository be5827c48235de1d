export { escapeMarkdown } from './escape.js';
export { describeFailure, failureLine, type FailureDescription } from './failure.js';
export { formatDuration, formatRate } from './format.js';
export { outputsFor, type OutputName } from './outputs.js';
export { ProgressReporter, type ProgressOptions } from './progress.js';
export {
  summaryMarkdown,
  type FailureReport,
  type RetryRecord,
  type SuccessReport,
  type SummaryInput,
  type WaitRecord,
} from './summary.js';
export { campaignOutputsFor, type CampaignOutputName } from './campaign-outputs.js';
export { CampaignProgress, progressLine } from './campaign-progress.js';
export { campaignLink, campaignSummaryMarkdown, type CampaignSummaryInput } from './campaign-summary.js';
