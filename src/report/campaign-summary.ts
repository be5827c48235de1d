// The campaign step's job summary: the campaign (linked), its phase and conclusion, a counts table, and
// the failed devices with their reasons in a collapsed list. Pure: campaign-main.ts writes it out.
import { releasePaths } from '../api/release.js';
import { formatPercent, type CampaignResult } from '../campaign/index.js';
import { escapeMarkdown } from './escape.js';
import { formatDuration } from './format.js';
import { retriesTable, table, warningsBlock, type RetryRecord } from './markdown.js';

export interface CampaignSummaryInput {
  result: CampaignResult;
  /** The service's origin, for the campaign link. */
  apiHost: URL;
  failure?: { message: string; hint?: string };
  /** The retries made, one record each. */
  retryLog: RetryRecord[];
}

/** Failed devices shown in the summary; the `failed_devices` output has all of them. */
const MAX_DEVICE_ROWS = 500;
const PORTAL_BY_API_HOST: Record<string, string> = {
  'api.us-east-1.mbedcloud.com': 'https://portal.mbedcloud.com',
};

/** The portal page of the campaign for the known regions; the API resource elsewhere (e.g. the emulator). */
export function campaignLink(apiHost: URL, campaignId: string): string {
  const portal = PORTAL_BY_API_HOST[apiHost.hostname];
  return portal
    ? `${portal}/firmware/deployments/${encodeURIComponent(campaignId)}/details`
    : apiHost.origin + releasePaths.campaign(campaignId);
}

export function campaignSummaryMarkdown(input: CampaignSummaryInput): string {
  const { result, failure } = input;
  const sections = [`## ${headline(result, failure !== undefined)}`];
  if (failure) {
    sections.push(`**${escapeMarkdown(failure.message)}**`);
    if (failure.hint) sections.push(`What to do: ${escapeMarkdown(failure.hint)}`);
  }
  sections.push(overview(input), countsTable(result));
  if (result.plan)
    sections.push(['A real run would:', ...result.plan.map((p) => `- ${escapeMarkdown(p)}`)].join('\n'));
  if (result.warnings.length > 0) sections.push(warningsBlock(result.warnings));
  if (result.failedDevices.length > 0) sections.push(failedDevicesBlock(result));
  if (input.retryLog.length > 0) sections.push(retriesBlock(input.retryLog));
  return sections.join('\n\n') + '\n';
}

function headline(result: CampaignResult, failed: boolean): string {
  if (failed) return '❌ Update campaign failed';
  if (result.outcome === 'dry-run') return '🔎 Dry run: nothing was created, changed or started';
  if (result.waited) return '✅ Update campaign rolled out';
  return result.phase === 'draft' ? '✅ Update campaign created (draft)' : '✅ Update campaign started';
}

function overview({ result, apiHost }: CampaignSummaryInput): string {
  const rows: [string, string | undefined][] = [
    [
      'Campaign',
      result.campaignId &&
        `[${escapeMarkdown(result.campaignName)}](${campaignLink(apiHost, result.campaignId)}) (${escapeMarkdown(result.campaignId)})`,
    ],
    [
      'Manifest',
      result.manifestId && `${escapeMarkdown(result.manifestName)} (${escapeMarkdown(result.manifestId)})`,
    ],
    ['Phase', result.phase && escapeMarkdown(result.phase)],
    ['Stop reason', result.autostopReason && escapeMarkdown(result.autostopReason)],
    ['Outcome', result.outcome],
    ['Result', result.conclusion ? escapeMarkdown(result.conclusion) : undefined],
    ['Duration', formatDuration(result.durationMs)],
    ['Retries', String(result.retryCount)],
  ];
  return table(rows);
}

function countsTable({ counts }: CampaignResult): string {
  const percent = (n: number) => (counts.total > 0 ? formatPercent((100 * n) / counts.total) : '');
  return [
    '| Devices | Count | Share |',
    '|---|---:|---:|',
    `| Total | ${counts.total} | |`,
    `| Succeeded | ${counts.succeeded} | ${percent(counts.succeeded)} |`,
    `| Failed | ${counts.failed} | ${percent(counts.failed)} |`,
    `| Pending | ${counts.pending} | ${percent(counts.pending)} |`,
  ].join('\n');
}

function failedDevicesBlock({ failedDevices, failureEvents }: CampaignResult): string {
  const shown = failedDevices.slice(0, MAX_DEVICE_ROWS);
  const parts = [
    `<details><summary>${failedDevices.length} failed devices</summary>`,
    [
      '| Device | Reason |',
      '|---|---|',
      ...shown.map((d) => `| ${escapeMarkdown(d.device_id)} | ${escapeMarkdown(d.reason)} |`),
    ].join('\n'),
  ];
  if (failedDevices.length > shown.length) {
    parts.push(
      `… and ${failedDevices.length - shown.length} more (all of them are in the \`failed_devices\` output)`,
    );
  }
  if (failureEvents.length > 0) {
    parts.push(
      [
        '| Failure event | Devices |',
        '|---|---:|',
        ...failureEvents.map((e) => `| ${escapeMarkdown(e.description)} | ${e.count} |`),
      ].join('\n'),
    );
  }
  parts.push('</details>');
  return parts.join('\n\n');
}

function retriesBlock(retries: RetryRecord[]): string {
  return [
    `<details><summary>Retries (${retries.length})</summary>`,
    '',
    retriesTable(retries),
    '',
    '</details>',
  ].join('\n');
}
