// Decisions on a campaign's `phase` (one spelling: normalizePhase), never on the deprecated `state`.
import { normalizePhase, type UpdateCampaign } from '../api/release.js';

const NOT_YET_STARTED = new Set(['draft', 'awaiting_approval', 'timed', 'starting']);
const ENDED = new Set(['stopped', 'autostopped', 'deleted', 'archived']);

export function phaseOf(campaign: Pick<UpdateCampaign, 'phase'>): string {
  return normalizePhase(campaign.phase);
}

/** Starting is done only once the phase has left draft/starting (and the approval or timer phases). */
export function hasStarted(phase: string): boolean {
  return !NOT_YET_STARTED.has(phase);
}

/** The campaign will not reach any more devices. */
export function hasEnded(phase: string): boolean {
  return ENDED.has(phase);
}

/** The service can still stop it. */
export function isRunning(phase: string): boolean {
  return phase === 'starting' || phase === 'active';
}
