// The dry run: the same look-up and decision as a real run, from read-only requests alone.
import { hashImage, planChunks } from '../image/index.js';
import { decideForName, type NameDecision } from './decide.js';
import { findFreeName, lookUpName } from './names.js';
import { JobWatch } from './ownership.js';
import { buildResult } from './result.js';
import type { UploadSession } from './session.js';
import type { DryRunDecision, PublishRequest, PublishResult } from './types.js';

export async function dryRun(session: UploadSession, request: PublishRequest): Promise<PublishResult> {
  session.emit({ type: 'phase', phase: 'check-name' });
  // The look-up comes first: it is also the credential check, and a bad key should fail before hashing.
  const state = await lookUpName(session, request.name);
  const local = await hashImage(request.imagePath, request.chunkSize);
  const chunks = planChunks(local.size, request.chunkSize);
  // One look: a job is live unless released or idle by its updated_at (a real run would also watch it).
  const live = new JobWatch(session, session.ownership).holdsLiveJob(state, request.onConflict);
  const decision = decideForName(request.onConflict, state, local, {
    jobIsLive: live,
    encrypt: request.encryptPayload,
  });
  const name = decision.action === 'suffix' ? await findFreeName(session, request.name) : request.name;
  const dryRunDecision = describe(decision, name, chunks.length);
  session.logger.info(`dry run: a real run would do: ${dryRunDecision.description}`);
  session.emit({ type: 'phase', phase: 'done' });
  return buildResult(session, {
    outcome: 'dry-run',
    name,
    local,
    chunks,
    chunkSize: request.chunkSize,
    dryRunDecision,
  });
}

function describe(decision: NameDecision, name: string, chunkCount: number): DryRunDecision {
  switch (decision.action) {
    case 'new-upload':
      return { action: 'new-upload', description: 'new upload' };
    case 'reuse':
      return { action: 'reuse', description: `reuse identical image ${decision.image.id}` };
    case 'resume': {
      const held = decision.heldChunks.length;
      return {
        action: 'resume',
        description: `resume unfinished job ${decision.job.id} (${held} of ${chunkCount} chunks held)`,
      };
    }
    case 'restart':
      return {
        action: 'restart',
        description: `restart mismatching job ${decision.job.id}: ${decision.reason}`,
      };
    case 'conflict':
      return { action: 'conflict', description: `conflict that would fail: ${decision.error.message}` };
    case 'suffix':
      return { action: 'suffix', description: `suffix → ${name}` };
    case 'wait':
      return {
        action: 'wait',
        description: `wait for the run writing job ${decision.job.id} (${decision.heldChunks.length} of ${chunkCount} chunks so far), then reuse its image`,
      };
  }
}
