// Builds the PublishResult: one shape for an upload, a resume, a reuse and a dry run.
import { MIN_CHUNK_SIZE, type FirmwareImage } from '../api/types.js';
import type { ChunkSpec } from '../image/index.js';
import type { UploadSession } from './session.js';
import type {
  ChunkPlanSummary,
  ChunkTiming,
  DryRunDecision,
  PublishOutcome,
  PublishResult,
} from './types.js';

export interface ResultParts {
  outcome: PublishOutcome;
  name: string;
  local: { size: number; sha256Hex: string };
  chunks: ChunkSpec[];
  chunkSize: number;
  /** The firmware image published or reused (none on a dry run). */
  image?: FirmwareImage;
  uploadJobId?: string;
  sent?: { chunksSent: number; chunksSkipped: number; timeline: ChunkTiming[] };
  dryRunDecision?: DryRunDecision;
}

export function buildResult(session: UploadSession, parts: ResultParts): PublishResult {
  const { image, sent } = parts;
  return {
    outcome: parts.outcome,
    name: parts.name,
    ...(image && { firmwareImageId: image.id, datafileUrl: image.datafile }),
    ...(image?.short_datafile && { shortDatafileUrl: image.short_datafile }),
    ...(image?.encrypted_datafile_checksum && {
      encryptedDatafileChecksum: image.encrypted_datafile_checksum,
    }),
    ...(image?.encrypted_datafile_size !== undefined && {
      encryptedDatafileSize: image.encrypted_datafile_size,
    }),
    datafileChecksum: parts.local.sha256Hex,
    datafileSize: parts.local.size,
    ...(parts.uploadJobId && { uploadJobId: parts.uploadJobId }),
    chunkCount: parts.chunks.length,
    chunksSent: sent?.chunksSent ?? 0,
    chunksResumed: sent?.chunksSkipped ?? 0,
    retryCount: session.retryCount,
    durationMs: session.elapsedMs(),
    warnings: session.warnings,
    timeline: sent?.timeline ?? [],
    plan: summarizePlan(parts.chunks, parts.chunkSize),
    ...(parts.dryRunDecision && { dryRunDecision: parts.dryRunDecision }),
  };
}

export function summarizePlan(chunks: ChunkSpec[], chunkSize: number): ChunkPlanSummary {
  return {
    chunkSize,
    count: chunks.length,
    lastChunkSize: chunks[chunks.length - 1]?.length ?? 0,
    meetsMinimumRule: chunks.slice(0, -1).every((chunk) => chunk.length >= MIN_CHUNK_SIZE),
  };
}
