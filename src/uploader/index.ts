export { publish } from './publish.js';
export { ConflictError, UploadInterruptedError, UploadStateError, VerificationError } from './errors.js';
export type * from './types.js';
