// How the publish action tells the run in the log: a log group per phase, where the upload stood when
// it was cancelled, the one-line result, and the retries for the summary.
import * as core from '@actions/core';
import type { Phase, PublishResult, UploadEvent } from '../uploader/index.js';

const PHASE_GROUPS: Partial<Record<Phase, string>> = {
  'check-name': 'Check the name',
  upload: 'Upload',
  complete: 'Complete and verify',
};

/** Opens a log group per uploader phase; GitHub's log groups do not nest, so one at a time. */
export class PhaseGroups {
  private open = false;

  handle(event: UploadEvent): void {
    if (event.type !== 'phase') return;
    const title = PHASE_GROUPS[event.phase];
    if (title === undefined) return;
    this.close();
    core.startGroup(title);
    this.open = true;
  }

  close(): void {
    if (this.open) core.endGroup();
    this.open = false;
  }
}

/** Where the upload stands, for the cancellation message. */
export class UploadTracker {
  jobId: string | undefined;
  chunksDone = 0;
  chunkCount = 0;

  handle(event: UploadEvent): void {
    if (event.type === 'job-created') this.jobId = event.jobId;
    if (event.type === 'job-resumed') {
      this.jobId = event.jobId;
      this.chunkCount = event.chunkCount;
    }
    if (event.type === 'chunk-sent' || event.type === 'chunk-skipped') {
      this.chunksDone = event.index;
      this.chunkCount = event.total;
    }
  }

  describe(): string {
    if (this.jobId === undefined) return 'no upload job had been created yet; nothing to resume';
    return (
      `upload job ${this.jobId} holds ${this.chunksDone} of ${this.chunkCount || '?'} chunks; ` +
      're-run the workflow with the same inputs to resume it'
    );
  }
}

export function resultLine(result: PublishResult): string {
  switch (result.outcome) {
    case 'dry-run':
      return `dry run done: a real run would ${result.dryRunDecision?.description ?? 'upload'} (nothing was changed)`;
    case 'reused':
      return `firmware image "${result.name}" (${result.firmwareImageId}) already holds this file: reused it`;
    default:
      return `published firmware image "${result.name}" (${result.firmwareImageId}), verified: ${result.datafileSize} bytes, SHA-256 ${result.datafileChecksum}`;
  }
}
