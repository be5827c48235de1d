// The job summary: what was published (or what failed), as markdown. Pure: main.ts writes it out.
import { formatBytes } from '../common/bytes.js';
import { WAIT_OUTCOMES, type ChunkTiming, type PublishResult, type UploadEvent } from '../uploader/index.js';
import { escapeMarkdown } from './escape.js';
import { formatDuration, formatRate } from './format.js';
import { retriesTable, table, warningsBlock, type RetryRecord } from './markdown.js';

export type { RetryRecord };

/** A wait for another run's upload under the same name (the uploader's 'waited' event). */
export type WaitRecord = Omit<Extract<UploadEvent, { type: 'waited' }>, 'type'>;

interface ReportContext {
  imagePath?: string;
  /** Warnings from this run, e.g. a default name that had to be shortened (the uploader's are in result). */
  warnings: string[];
  /** The retries made, one record each. */
  retryLog: RetryRecord[];
  /** Waits for another run writing the job under the name (none by default). */
  waits?: WaitRecord[];
}

export interface SuccessReport extends ReportContext {
  kind: 'success';
  result: PublishResult;
}

export interface FailureReport extends ReportContext {
  kind: 'failure';
  /** One line: what failed and the service's message / request id. */
  message: string;
  /** What to do about it. */
  hint?: string;
  name?: string;
}

export type SummaryInput = SuccessReport | FailureReport;

/** Timelines longer than this show their first and last rows only: the summary stays readable. */
const MAX_TIMELINE_ROWS = 200;

const HEADLINES: Record<PublishResult['outcome'], string> = {
  uploaded: '✅ Firmware image uploaded',
  resumed: '✅ Firmware image uploaded (resumed an unfinished upload)',
  reused: '✅ Firmware image already published (identical image reused)',
  'dry-run': '🔎 Dry run: nothing was created, changed or deleted',
};

export function summaryMarkdown(input: SummaryInput): string {
  const sections =
    input.kind === 'success'
      ? [`## ${HEADLINES[input.result.outcome]}`, resultTable(input)]
      : [`## ❌ Firmware publish failed`, failureBlock(input)];
  if (input.waits?.length) sections.push(waitsBlock(input.waits));
  const warnings = [...input.warnings, ...(input.kind === 'success' ? input.result.warnings : [])];
  if (warnings.length > 0) sections.push(warningsBlock(warnings));
  const details = detailsBlock(input);
  if (details) sections.push(details);
  return sections.join('\n\n') + '\n';
}

function optional(value: string | undefined): string | undefined {
  return value === undefined ? undefined : escapeMarkdown(value);
}

function resultTable({ result, imagePath }: SuccessReport): string {
  const sentBytes = result.timeline.filter((t) => !t.skipped).reduce((sum, t) => sum + t.length, 0);
  const uploadMs = result.timeline.reduce((sum, t) => sum + (t.skipped ? 0 : t.durationMs), 0);
  const moved = result.outcome === 'uploaded' || result.outcome === 'resumed';
  return table([
    ['Name', escapeMarkdown(result.name)],
    ['Firmware image ID', optional(result.firmwareImageId)],
    ['Image file', optional(imagePath)],
    ['Size', `${formatBytes(result.datafileSize)} (${result.datafileSize} bytes)`],
    ['SHA-256', escapeMarkdown(result.datafileChecksum)],
    ['Encrypted payload', encryptedCell(result)],
    ['Chunks', chunksCell(result)],
    ['Retries', String(result.retryCount)],
    ['Duration', formatDuration(result.durationMs)],
    ['Throughput', moved ? formatRate(sentBytes, uploadMs) : undefined],
    ['Outcome', result.outcome],
    ['Dry-run decision', optional(result.dryRunDecision?.description)],
    ['Datafile URL', optional(result.datafileUrl)],
    ['Short datafile URL', optional(result.shortDatafileUrl)],
    ['Upload job', optional(result.uploadJobId)],
  ]);
}

function encryptedCell(result: PublishResult): string | undefined {
  const { encryptedDatafileChecksum: checksum, encryptedDatafileSize: size } = result;
  if (checksum === undefined) return undefined;
  return `SHA-256 ${escapeMarkdown(checksum)}${size === undefined ? '' : `, ${size} bytes`}`;
}

function chunksCell(result: PublishResult): string {
  const { plan } = result;
  const size = `${formatBytes(plan.chunkSize)} each, last ${formatBytes(plan.lastChunkSize)}`;
  if (result.outcome === 'dry-run') {
    const rule = plan.meetsMinimumRule ? 'meets' : 'breaks';
    return `${plan.count} planned (${size}; ${rule} the 5 MiB minimum)`;
  }
  if (result.outcome === 'reused') return `none sent (${plan.count} in the plan)`;
  const resumed = result.chunksResumed > 0 ? `, ${result.chunksResumed} already held` : '';
  return `${result.chunkCount} (${result.chunksSent} sent${resumed}; ${size})`;
}

function failureBlock(input: FailureReport): string {
  const lines = [`**${escapeMarkdown(input.message)}**`];
  if (input.hint) lines.push('', `What to do: ${escapeMarkdown(input.hint)}`);
  const context = table([
    ['Name', optional(input.name)],
    ['Image file', optional(input.imagePath)],
  ]);
  if (input.name !== undefined || input.imagePath !== undefined) lines.push('', context);
  return lines.join('\n');
}

function waitsBlock(waits: WaitRecord[]): string {
  return waits
    .map(
      (w) =>
        `⏳ Waited ${formatDuration(w.waitedMs)} for another run's upload job ${escapeMarkdown(w.jobId)} ` +
        `under this name: ${WAIT_OUTCOMES[w.outcome]}.`,
    )
    .join('\n\n');
}

function detailsBlock(input: SummaryInput): string | undefined {
  const timeline = input.kind === 'success' ? input.result.timeline : [];
  if (timeline.length === 0 && input.retryLog.length === 0) return undefined;
  const parts = [
    `<details><summary>Chunk timeline (${timeline.length} chunks) and retries (${input.retryLog.length})</summary>`,
  ];
  if (timeline.length > 0) parts.push(timelineTable(timeline));
  if (input.retryLog.length > 0) parts.push(retriesTable(input.retryLog));
  parts.push('</details>');
  return parts.join('\n\n');
}

function timelineTable(timeline: ChunkTiming[]): string {
  const row = (t: ChunkTiming) =>
    t.skipped
      ? `| ${t.index} | ${formatBytes(t.length)} | | | 0 | already held |`
      : `| ${t.index} | ${formatBytes(t.length)} | ${formatDuration(t.startMs)} | ${formatDuration(t.durationMs)} | ${t.attempts} | ${formatRate(t.length, t.durationMs)} |`;
  const head = ['| Chunk | Size | Started at | Took | Attempts | Rate |', '|---:|---:|---:|---:|---:|---:|'];
  if (timeline.length <= MAX_TIMELINE_ROWS) return [...head, ...timeline.map(row)].join('\n');
  const keep = MAX_TIMELINE_ROWS / 2;
  const omitted = timeline.length - 2 * keep;
  return [
    ...head,
    ...timeline.slice(0, keep).map(row),
    `| … | ${omitted} more chunks | | | | |`,
    ...timeline.slice(-keep).map(row),
  ].join('\n');
}
