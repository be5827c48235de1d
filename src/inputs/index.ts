export { parseSize } from '../common/bytes.js';
export { resolveApiKey } from './api-key.js';
export { InputError } from './errors.js';
export { INPUTS, inputSpec, rangeText, type InputSpec, type Step } from './spec.js';
export { parseApiHost } from './host.js';
export {
  CONFLICT_POLICIES,
  DEFAULT_CHUNK_SIZE,
  API_KEY_FIX,
  parseConnection,
  parseSettings,
  type ConflictPolicy,
  type ReadInput,
  type Settings,
} from './settings.js';
export {
  defaultDescription,
  defaultName,
  githubProvenance,
  provenanceFromCiEnv,
  tagRef,
  type DefaultName,
  type Provenance,
  type RunnerContext,
} from './provenance.js';
export { parseCampaignSettings, type CampaignSettings } from './campaign-settings.js';
