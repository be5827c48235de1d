import { describe, expect, it } from '@jest/globals';
import { escapeMarkdown } from '../../src/report/escape.js';
import { summaryMarkdown } from '../../src/report/summary.js';
import type { ChunkTiming } from '../../src/uploader/types.js';
import { sampleResult } from './fixtures.js';

const hostileName = 'fw <script>alert(1)</script> | `x` & *y*\nnext';

/** Rows of the first markdown table, as cells. */
function tableRows(markdown: string): string[][] {
  const lines = markdown.split('\n').filter((line) => line.startsWith('|'));
  // Split on pipes that are not escaped: an escaped \| stays inside its cell.
  return lines.map((line) => line.split(/(?<!\\)\|/).slice(1, -1));
}

describe('escapeMarkdown', () => {
  it('shows HTML and markdown syntax literally, on one line', () => {
    expect(escapeMarkdown(hostileName)).toBe(
      'fw &lt;script&gt;alert(1)&lt;/script&gt; \\| \\`x\\` &amp; \\*y\\* next',
    );
  });

  it('neutralises control and bidi characters (shown as escapes), and a leading command', () => {
    expect(escapeMarkdown('::error::x\u001b[31m\u202e\u2028y')).toBe(
      '\\\\u003a:error::x\\\\u001b\\[31m\\\\u202e\\\\u2028y',
    );
  });
});

describe('summaryMarkdown', () => {
  it('tabulates an upload: name, id, size, SHA-256, chunks, retries, duration, throughput, outcome, URL', () => {
    const markdown = summaryMarkdown({ kind: 'success', result: sampleResult(), warnings: [], retryLog: [] });
    expect(markdown).toContain('## ✅ Firmware image uploaded');
    const rows = Object.fromEntries(
      tableRows(markdown).map(([label, value]) => [label?.trim(), value?.trim()]),
    );
    expect(rows).toMatchObject({
      Name: 'firmware.bin-v1.2.3',
      'Firmware image ID': '0165a1b2c3d4e5f60718293a4b5c6d7e',
      Size: '11 MiB (11534336 bytes)',
      'SHA-256': 'a'.repeat(64),
      Chunks: '3 (3 sent; 5 MiB each, last 1 MiB)',
      Retries: '0',
      Duration: '2.5 s',
      // 11 MiB in 2.2 s of chunk transfers
      Throughput: '5 MiB/s',
      Outcome: 'uploaded',
      'Datafile URL': 'https://example.invalid/firmware/firmware.bin',
      'Short datafile URL': 'https://example.invalid/s/abc',
    });
  });

  it('escapes a hostile name so it neither injects HTML nor breaks the table', () => {
    const markdown = summaryMarkdown({
      kind: 'success',
      result: sampleResult({ name: hostileName, warnings: ['deleted job <b>x</b>'] }),
      warnings: [],
      retryLog: [{ operation: 'append chunk 2 | x', attempt: 1, delayMs: 1200, message: '503 <html>' }],
    });
    expect(markdown).not.toContain('<script>');
    expect(markdown).not.toContain('<b>');
    expect(markdown).not.toContain('<html>');
    const nameRow = tableRows(markdown).find((cells) => cells[0]?.trim() === 'Name');
    expect(nameRow).toHaveLength(2);
    expect(nameRow?.[1]).toContain('&lt;script&gt;');
    // every row of every table keeps its column count
    for (const table of markdown.split('\n\n').filter((block) => block.startsWith('|'))) {
      const widths = new Set(tableRows(table).map((cells) => cells.length));
      expect(widths.size).toBe(1);
    }
  });

  it('lists warnings from the run and from the uploader', () => {
    const markdown = summaryMarkdown({
      kind: 'success',
      result: sampleResult({ warnings: ['deleted unfinished upload job 0165 whose chunks did not match'] }),
      warnings: ['the default name was shortened to 128 characters'],
      retryLog: [],
    });
    expect(markdown).toContain('> [!WARNING]');
    expect(markdown).toContain('> - the default name was shortened to 128 characters');
    expect(markdown).toContain('> - deleted unfinished upload job 0165 whose chunks did not match');
  });

  it('puts the chunk timeline and the retries in a collapsed section', () => {
    const result = sampleResult({
      chunksSent: 2,
      chunksResumed: 1,
      outcome: 'resumed',
      retryCount: 1,
      timeline: [
        { index: 1, length: 5 * 1024 * 1024, startMs: 0, durationMs: 0, attempts: 0, skipped: true },
        ...sampleResult().timeline.slice(1),
      ],
    });
    const markdown = summaryMarkdown({
      kind: 'success',
      result,
      warnings: [],
      retryLog: [
        { operation: 'append chunk 2', attempt: 1, delayMs: 1500, message: '503 Service Unavailable' },
      ],
    });
    expect(markdown).toContain('<details><summary>Chunk timeline (3 chunks) and retries (1)</summary>');
    expect(markdown).toContain('| 1 | 5 MiB | | | 0 | already held |');
    expect(markdown).toContain('| 2 | 5 MiB | 1 s | 1 s | 1 | 5 MiB/s |');
    expect(markdown).toContain('| append chunk 2 | 1 | 1.5 s | 503 Service Unavailable |');
    expect(markdown).toContain('2 sent, 1 already held');
    expect(markdown.trimEnd().endsWith('</details>')).toBe(true);
  });

  it('shortens a very long timeline to its first and last rows', () => {
    const timeline: ChunkTiming[] = Array.from({ length: 1000 }, (_, i) => ({
      index: i + 1,
      length: 5 * 1024 * 1024,
      startMs: i * 100,
      durationMs: 100,
      attempts: 1,
      skipped: false,
    }));
    const markdown = summaryMarkdown({
      kind: 'success',
      result: sampleResult({ timeline }),
      warnings: [],
      retryLog: [],
    });
    expect(markdown).toContain('| … | 800 more chunks | | | | |');
    expect(markdown).toContain('| 100 | 5 MiB |');
    expect(markdown).toContain('| 901 | 5 MiB |');
    expect(markdown).not.toContain('| 500 | 5 MiB |');
  });

  it('describes a dry run with its decision and chunk plan', () => {
    const markdown = summaryMarkdown({
      kind: 'success',
      result: sampleResult({
        outcome: 'dry-run',
        firmwareImageId: undefined,
        datafileUrl: undefined,
        shortDatafileUrl: undefined,
        uploadJobId: undefined,
        timeline: [],
        dryRunDecision: { action: 'suffix', description: 'suffix → fw-2' },
      }),
      warnings: [],
      retryLog: [],
    });
    expect(markdown).toContain('Dry run: nothing was created, changed or deleted');
    expect(markdown).toContain('| Dry-run decision | suffix → fw-2 |');
    expect(markdown).toContain('3 planned (5 MiB each, last 1 MiB; meets the 5 MiB minimum)');
    expect(markdown).not.toContain('Firmware image ID');
    expect(markdown).not.toContain('<details>');
  });

  it('reports a failure with the message, what to do, and escaped context', () => {
    const markdown = summaryMarkdown({
      kind: 'failure',
      message: 'create upload job failed: 401 unauthorized (request_id 0a1b)',
      hint: 'check the `api-key` secret',
      name: hostileName,
      warnings: [],
      retryLog: [],
    });
    expect(markdown).toContain('## ❌ Firmware publish failed');
    expect(markdown).toContain('**create upload job failed: 401 unauthorized (request\\_id 0a1b)**');
    expect(markdown).toContain('What to do: check the \\`api-key\\` secret');
    expect(markdown).not.toContain('<script>');
  });

  it('shows a wait for another run, on success (reused) and on failure (conflict)', () => {
    const jobId = '0165a1b2c3d4e5f60718293a4b5c6d7f';
    const reused = summaryMarkdown({
      kind: 'success',
      result: sampleResult({ outcome: 'reused', timeline: [] }),
      warnings: [],
      retryLog: [],
      waits: [{ jobId, waitedMs: 12_300, outcome: 'completed' }],
    });
    expect(reused).toContain(
      `⏳ Waited 12.3 s for another run's upload job ${jobId} under this name: it completed.`,
    );
    const conflict = summaryMarkdown({
      kind: 'failure',
      message: 'another run is uploading different content under the name "fw"',
      warnings: [],
      retryLog: [],
      waits: [{ jobId, waitedMs: 2_000, outcome: 'different-content' }],
    });
    expect(conflict).toContain('it turned out to upload different content.');
    expect(
      summaryMarkdown({ kind: 'success', result: sampleResult(), warnings: [], retryLog: [] }),
    ).not.toContain('⏳');
  });
});
