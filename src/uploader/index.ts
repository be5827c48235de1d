export { publish } from './publish.js';
export {
  AnotherWriterError,
  ConflictError,
  EncryptionError,
  UploadInterruptedError,
  UploadStateError,
  VerificationError,
} from './errors.js';
export type * from './types.js';
export { UploadSession } from './session.js';
export { WAIT_OUTCOMES } from './ownership.js';
