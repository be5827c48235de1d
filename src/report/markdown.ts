// Markdown pieces both job summaries (publish and campaign) are made of; every value is escaped by the
// caller or here (escapeMarkdown), so nothing from a user or the service can break a table.
import { escapeMarkdown } from './escape.js';
import { formatDuration } from './format.js';

/** A retry for the summary: what was retried, which attempt, how long it waited, the (redacted) error. */
export interface RetryRecord {
  operation: string;
  attempt: number;
  delayMs: number;
  message: string;
}

/** A two-column table of the rows that have a value. */
/** A GitHub alert block of warnings, one bullet each. */
export function warningsBlock(warnings: string[]): string {
  return ['> [!WARNING]', ...warnings.map((w) => `> - ${escapeMarkdown(w)}`)].join('\n');
}

export function table(rows: [string, string | undefined][]): string {
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  return ['| | |', '|---|---|', ...present.map(([label, value]) => `| ${label} | ${value} |`)].join('\n');
}

export function retriesTable(retries: RetryRecord[]): string {
  return [
    '| Operation | Attempt | Waited | Error |',
    '|---|---:|---:|---|',
    ...retries.map(
      (r) =>
        `| ${escapeMarkdown(r.operation)} | ${r.attempt} | ${formatDuration(r.delayMs)} | ${escapeMarkdown(r.message)} |`,
    ),
  ].join('\n');
}
