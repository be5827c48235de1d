export {
  UpdateServiceClient,
  MAX_PAGE_LIMIT,
  type ListFilter,
  type ListQuery,
  type UpdateServiceClientOptions,
} from './client.js';
export { createDispatcher, type DispatcherOptions } from './dispatcher.js';
export {
  abortedError,
  cleanServerText,
  ServiceError,
  parseRetryAfter,
  type ServiceErrorKind,
  type ServiceErrorInit,
} from './errors.js';
export { redactSecret } from './redact.js';
export { CLIENT_VERSION, PROJECT_URL, userAgent } from './user-agent.js';
export { DeviceManagementClient, type ManifestUpload } from './campaigns.js';
