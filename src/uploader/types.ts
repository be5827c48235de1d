// The uploader's public shapes: what publish() takes, what it reports while it runs, and what it returns.
import type { StepDeps } from '../common/step.js';
import type { UpdateServiceClient } from '../client/index.js';
import type { ConflictPolicy } from '../inputs/index.js';
import type { OwnershipTimings, WaitOutcome } from './ownership.js';

export type { ConflictPolicy, OwnershipTimings, WaitOutcome };

/** Settings resolved by the caller: the image is located and the name decided (defaulted or given). */
export interface PublishRequest {
  imagePath: string;
  name: string;
  description?: string;
  chunkSize: number;
  onConflict: ConflictPolicy;
  /** Extra attempts after the first, per request. */
  maxRetries: number;
  dryRun: boolean;
  /** Ask the service to encrypt the stored payload (encrypt-payload); reuse only an encrypted image. */
  encryptPayload?: boolean;
}

export interface PublishDeps extends StepDeps<UpdateServiceClient, UploadEvent> {
  /** Wall-clock epoch milliseconds (Date.now by default): compared with the service's updated_at. */
  wallClockMs?: () => number;
  /** How live jobs of other runs are told from abandoned ones (docs/design.md, "One writer per job"). */
  ownership?: Partial<OwnershipTimings>;
}

export type Phase = 'prepare' | 'check-name' | 'upload' | 'complete' | 'verify' | 'done';

/** What the reporting layer renders progress and the summary from. */
export type UploadEvent =
  | { type: 'phase'; phase: Phase }
  | { type: 'name-chosen'; name: string; requested: string }
  | { type: 'job-created'; jobId: string; name: string; adopted: boolean }
  | { type: 'job-resumed'; jobId: string; chunksHeld: number; chunkCount: number }
  | { type: 'job-deleted'; jobId: string; reason: string }
  | ChunkProgress<'chunk-sent'>
  | ChunkProgress<'chunk-skipped'>
  | { type: 'retry'; operation: string; attempt: number; delayMs: number; error: Error }
  | { type: 'reconciled'; operation: string; finding: 'already-applied' | 'not-received' }
  | { type: 'completed'; jobId: string; firmwareImageId: string }
  | { type: 'verified'; firmwareImageId: string; datafileSize: number; datafileChecksum: string }
  | { type: 'reused'; firmwareImageId: string }
  /** Another run writes the job under the name: this run waits (one event per poll). */
  | { type: 'waiting'; jobId: string; chunksHeld: number; waitedMs: number }
  /** The wait for another run ended. */
  | { type: 'waited'; jobId: string; waitedMs: number; outcome: WaitOutcome };

export interface ChunkProgress<T extends 'chunk-sent' | 'chunk-skipped'> {
  type: T;
  index: number;
  total: number;
  length: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ChunkTiming {
  index: number;
  length: number;
  /** Milliseconds since publish() started. */
  startMs: number;
  durationMs: number;
  /** Requests made for this chunk (1 when it went through at once; 0 when the job already held it). */
  attempts: number;
  skipped: boolean;
}

/** The chunk plan, as the dry run and the summary show it. */
export interface ChunkPlanSummary {
  chunkSize: number;
  count: number;
  lastChunkSize: number;
  /** Every chunk but the last is at least 5 MiB (the service's S3 rule). */
  meetsMinimumRule: boolean;
}

export type DryRunAction = 'new-upload' | 'reuse' | 'resume' | 'restart' | 'conflict' | 'suffix' | 'wait';

export interface DryRunDecision {
  action: DryRunAction;
  /** E.g. 'resume unfinished job (4 of 8 chunks held)', 'suffix → fw-2'. */
  description: string;
}

/** What a publish run did: the action's `outcome` output names each (checked by `docs --check`). */
export const PUBLISH_OUTCOMES = ['uploaded', 'resumed', 'reused', 'dry-run'] as const;
export type PublishOutcome = (typeof PUBLISH_OUTCOMES)[number];

export interface PublishResult {
  outcome: PublishOutcome;
  /** The name used (differs from the request's under on-conflict `suffix`). */
  name: string;
  firmwareImageId?: string;
  datafileUrl?: string;
  shortDatafileUrl?: string;
  /** Set when the service encrypted the payload: what the manifest carries instead of the plain digest. */
  encryptedDatafileChecksum?: string;
  encryptedDatafileSize?: number;
  /** SHA-256 hex of the local image (equal to the service's datafile_checksum once verified). */
  datafileChecksum: string;
  datafileSize: number;
  uploadJobId?: string;
  chunkCount: number;
  chunksSent: number;
  chunksResumed: number;
  /** Retries made, over every request of the run. */
  retryCount: number;
  durationMs: number;
  warnings: string[];
  timeline: ChunkTiming[];
  plan: ChunkPlanSummary;
  /** Only on a dry run: what a real run would do with the name. */
  dryRunDecision?: DryRunDecision;
}
