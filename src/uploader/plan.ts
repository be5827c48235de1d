import { MIN_CHUNK_SIZE } from '../api/types.js';
import type { ChunkSpec } from '../image/plan.js';
import type { ChunkPlanSummary } from './types.js';

export function summarizePlan(chunks: ChunkSpec[], chunkSize: number): ChunkPlanSummary {
  return {
    chunkSize,
    count: chunks.length,
    lastChunkSize: chunks[chunks.length - 1]?.length ?? 0,
    meetsMinimumRule: chunks.slice(0, -1).every((chunk) => chunk.length >= MIN_CHUNK_SIZE),
  };
}
