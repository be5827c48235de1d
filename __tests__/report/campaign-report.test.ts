// The campaign step's outputs, progress lines and job summary, from results shaped as runCampaign() makes them.
import { describe, expect, it } from '@jest/globals';
import type { CampaignResult } from '../../src/campaign/types.js';
import {
  campaignLink,
  campaignOutputsFor,
  CampaignProgress,
  campaignSummaryMarkdown,
  progressLine,
} from '../../src/report/index.js';

const ID = '0123456789abcdef0123456789abcdef';
function result(overrides: Partial<CampaignResult> = {}): CampaignResult {
  return {
    outcome: 'created',
    manifestName: 'update.manifest@v1',
    campaignName: 'update.manifest@v1',
    manifestId: 'f'.repeat(32),
    campaignId: ID,
    phase: 'autostopped',
    counts: { total: 4, succeeded: 3, failed: 1, pending: 0 },
    failedDevices: [{ device_id: 'dev-1', reason: 'flash <b>|error</b>' }],
    failureEvents: [{ description: 'flash error', count: 1 }],
    waited: true,
    conclusion: 'rollout done: 3 of 4 devices updated (75%)',
    durationMs: 65_000,
    retryCount: 0,
    warnings: [],
    ...overrides,
  };
}

describe('campaign outputs', () => {
  it('carry ids, phase, counts, the failed devices as JSON, and the outcome', () => {
    expect(campaignOutputsFor(result())).toEqual({
      manifest_id: 'f'.repeat(32),
      campaign_id: ID,
      phase: 'autostopped',
      devices_total: '4',
      devices_succeeded: '3',
      devices_failed: '1',
      devices_pending: '0',
      failed_devices: JSON.stringify([{ device_id: 'dev-1', reason: 'flash <b>|error</b>' }]),
      outcome: 'created',
    });
  });

  it('leave out what does not exist yet', () => {
    const early = campaignOutputsFor(
      result({ manifestId: undefined, campaignId: undefined, phase: undefined }),
    );
    expect(Object.keys(early).sort()).toEqual([
      'devices_failed',
      'devices_pending',
      'devices_succeeded',
      'devices_total',
      'failed_devices',
    ]);
  });
});

describe('campaign progress', () => {
  it('writes a line when the phase or the counts change, and at least once a minute', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = new CampaignProgress({ clock: { now: () => now }, emit: (l) => lines.push(l) });
    const counts = { total: 3, succeeded: 1, failed: 0, pending: 2 };
    progress.handle({ type: 'progress', phase: 'active', counts, elapsedMs: 0 });
    now = 10_000;
    progress.handle({ type: 'progress', phase: 'active', counts, elapsedMs: 10_000 });
    now = 61_000;
    progress.handle({ type: 'progress', phase: 'active', counts, elapsedMs: 61_000 });
    progress.handle({
      type: 'progress',
      phase: 'active',
      counts: { ...counts, succeeded: 2, pending: 1 },
      elapsedMs: 61_000,
    });
    expect(lines).toEqual([
      'rollout: phase active, 1 of 3 devices done (33%): 1 succeeded, 0 failed, 2 pending; waited 0 ms',
      'rollout: phase active, 1 of 3 devices done (33%): 1 succeeded, 0 failed, 2 pending; waited 1 min 1 s',
      'rollout: phase active, 2 of 3 devices done (66%): 2 succeeded, 0 failed, 1 pending; waited 1 min 1 s',
    ]);
    expect(progressLine('starting', { total: 0, succeeded: 0, failed: 0, pending: 0 }, 0)).toContain('(0%)');
  });
});

describe('campaign summary', () => {
  it('links the campaign, shows phase and counts, and collapses the failed devices (escaped)', () => {
    const markdown = campaignSummaryMarkdown({
      result: result(),
      apiHost: new URL('http://127.0.0.1:9'),
      retryLog: [],
    });
    expect(markdown).toContain('## ✅ Update campaign rolled out');
    expect(markdown).toContain(`[update.manifest@v1](http://127.0.0.1:9/v3/update-campaigns/${ID})`);
    expect(markdown).toContain('| Phase | autostopped |');
    expect(markdown).toContain('| Succeeded | 3 | 75% |');
    expect(markdown).toContain('<details><summary>1 failed devices</summary>');
    expect(markdown).toContain('| dev-1 | flash &lt;b&gt;\\|error&lt;/b&gt; |');
    expect(markdown).not.toContain('<b>');
  });

  it('on failure: the headline, the message and what to do', () => {
    const markdown = campaignSummaryMarkdown({
      result: result({ phase: 'active' }),
      apiHost: new URL('https://api.us-east-1.mbedcloud.com'),
      failure: { message: 'gave up waiting', hint: 'raise `timeout`' },
      retryLog: [{ operation: 'get update campaign', attempt: 2, delayMs: 1000, message: '503' }],
    });
    expect(markdown).toMatch(
      /^## ❌ Update campaign failed\n\n\*\*gave up waiting\*\*\n\nWhat to do: raise \\`timeout\\`/,
    );
    expect(markdown).toContain('<details><summary>Retries (1)</summary>');
  });

  it('links the portal for the known region, the API resource elsewhere', () => {
    expect(campaignLink(new URL('https://api.us-east-1.mbedcloud.com'), ID)).toBe(
      `https://portal.mbedcloud.com/firmware/deployments/${ID}/details`,
    );
    expect(campaignLink(new URL('https://example.test'), ID)).toBe(
      `https://example.test/v3/update-campaigns/${ID}`,
    );
  });

  it('a dry run lists what a real run would do', () => {
    const markdown = campaignSummaryMarkdown({
      result: result({
        outcome: 'dry-run',
        campaignId: undefined,
        plan: ['upload the manifest', 'create the campaign'],
      }),
      apiHost: new URL('http://127.0.0.1:9'),
      retryLog: [],
    });
    expect(markdown).toContain('## 🔎 Dry run: nothing was created, changed or started');
    expect(markdown).toContain('A real run would:\n- upload the manifest\n- create the campaign');
  });
});
