// Both bundled actions in sequence, as a runner runs a release job: dist/index.js publishes the image;
// its outputs (firmware_image_id, datafile_url, datafile_checksum) go into a fixture manifest, which
// dist/campaign/index.js (campaign/action.yml's `main: ../dist/campaign/index.js`) uploads and rolls out
// to the emulator's devices. dist/ is bundled first when stale (ensureFreshDist).
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fixtureManifest } from '../../scripts/lib/fixture-manifest.js';
import { CAMPAIGN_ACTION_ENTRY, PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { bundledSuite, errorLines, expectKeyNowhere } from '../support/bundled-action.js';

const API_KEY = 'ak_e2e_rollout_5ecret_never_logged';
const DEVICE_CLASS = 'e2e-class';
const VENDOR_ID = 'e2e-vendor';

const {
  emulator,
  workspace,
  run: runAction,
  start: startAction,
} = bundledSuite({
  // No waiting in the rollout itself: starting, deploying and stopping take no emulator time, so the
  // campaign step's polls (10 s apart in the bundle) are not needed to see it through.
  emulator: {
    apiKey: API_KEY,
    devices: [
      { count: 4, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID, script: { outcome: 'deploy', afterMs: 0 } },
    ],
    campaignTiming: { startingMs: 0, stoppingMs: 0 },
  },
  image: { size: 300_000, seed: 300, fileName: 'widget.bin', label: 'e2e-rollout' },
});

describe('tag → publish → manifest → campaign → rollout, with the bundled actions on Node 24', () => {
  it("campaign/action.yml's main resolves, from its own directory, to the campaign bundle", async () => {
    const spec = parseYaml(await readFile(join(PROJECT_ROOT, 'campaign', 'action.yml'), 'utf8')) as {
      runs: { using: string; main: string };
    };
    expect(spec.runs.using).toBe('node24');
    expect(resolve(PROJECT_ROOT, 'campaign', spec.runs.main)).toBe(CAMPAIGN_ACTION_ENTRY);
    expect(existsSync(CAMPAIGN_ACTION_ENTRY)).toBe(true);
  });

  it('rolls the published image out to every device the filter matches, and a re-run resumes', async () => {
    const env = { GITHUB_REF: 'refs/tags/v2.0.0', GITHUB_REF_NAME: 'v2.0.0' };
    const publish = await runAction({
      inputs: {
        'api-key': API_KEY,
        'api-host': emulator.url,
        'image-path': 'widget.bin',
        'chunk-size': '5MiB',
      },
      env,
    });
    expect(publish.exitCode).toBe(0);
    const {
      firmware_image_id: imageId,
      datafile_url: datafileUrl,
      datafile_checksum: checksum,
    } = publish.outputs;
    expect(checksum).toBe(workspace.sha256);

    // The manifest step: what manifest-dev-tool create would write from the publish step's outputs.
    await writeFile(
      join(workspace.dir, 'update-manifest.bin'),
      fixtureManifest({
        url: datafileUrl!,
        sha256Hex: checksum!,
        size: Number(publish.outputs.datafile_size),
      }),
    );

    const campaignInputs = {
      'api-key': API_KEY,
      'api-host': emulator.url,
      'manifest-path': 'update-manifest.bin',
      'device-filter': `device_class__eq=${DEVICE_CLASS}&vendor_id__eq=${VENDOR_ID}`,
      wait: 'true',
      'min-success-percent': '100',
    };
    const campaign = await runAction({ action: 'campaign', inputs: campaignInputs, env });
    expect(campaign.stderr).toBe('');
    expect(campaign.exitCode).toBe(0);
    const [manifest] = emulator.state.manifests();
    const [stored] = emulator.state.campaigns();
    expect(campaign.outputs).toEqual({
      manifest_id: manifest!.id,
      campaign_id: stored!.id,
      phase: 'autostopped',
      devices_total: '4',
      devices_succeeded: '4',
      devices_failed: '0',
      devices_pending: '0',
      failed_devices: '[]',
      outcome: 'created',
    });
    // The manifest delivers the published image; its default name follows the tag, like the image's.
    expect(manifest).toMatchObject({
      name: 'update-manifest.bin@v2.0.0',
      delivered_payload_url: datafileUrl,
    });
    expect(
      emulator.state.firmwareImages().find((i) => i.datafile === manifest!.delivered_payload_url)?.id,
    ).toBe(imageId);
    expect(emulator.state.devices().map((d) => d.firmware_checksum)).toEqual(Array(4).fill(checksum));
    expect(campaign.stdout).toMatch(/^rollout: phase .*4 of 4 devices done \(100%\)/m);
    expect(campaign.summary).toContain('## ✅ Update campaign rolled out');
    expect(campaign.summary).toContain(`${emulator.url}/v3/update-campaigns/${stored!.id}`);
    expect(campaign.summary).toMatch(/\| Succeeded \| 4 \| 100% \|/);
    expectKeyNowhere(campaign, API_KEY);

    const again = await runAction({ action: 'campaign', inputs: campaignInputs, env });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      outcome: 'resumed',
      campaign_id: stored!.id,
      manifest_id: manifest!.id,
    });
    expect(emulator.state.manifests()).toHaveLength(1);
    expect(emulator.state.campaigns()).toHaveLength(1);
  });

  it('fails a filter that matches no device before creating anything, with one error line and the outputs', async () => {
    const manifests = emulator.state.manifests().length;
    const run = await runAction({
      action: 'campaign',
      inputs: {
        'api-key': API_KEY,
        'api-host': emulator.url,
        'manifest-path': 'update-manifest.bin',
        'manifest-name': 'another-release',
        'device-filter': 'device_class__eq=nothing',
      },
    });
    expect(run.exitCode).toBe(1);
    expect(errorLines(run)).toEqual([
      '::error::the device filter `device_class__eq=nothing` matches no devices; nothing was created. ' +
        'check `device-filter` (e.g. `device_class__eq=<class>&vendor_id__eq=<vendor>`) against the device list',
    ]);
    expect(run.outputs).toMatchObject({ devices_total: '0', failed_devices: '[]' });
    expect(run.outputs.outcome).toBeUndefined();
    expect(run.summary).toContain('## ❌ Update campaign failed');
    expect(emulator.state.manifests()).toHaveLength(manifests);
  });

  it('on SIGINT stops waiting, not the campaign, and says so', async () => {
    emulator.state.seedDevices([
      { count: 2, deviceClass: 'e2e-silent', vendorId: VENDOR_ID, script: { outcome: 'silent' } },
    ]);
    let waiting!: () => void;
    const polled = new Promise<void>((resolve) => (waiting = resolve));
    const running = await startAction({
      action: 'campaign',
      inputs: {
        'api-key': API_KEY,
        'api-host': emulator.url,
        'manifest-path': 'update-manifest.bin',
        'manifest-name': 'silent-release',
        'device-filter': 'device_class__eq=e2e-silent',
        wait: 'true',
      },
      onLine: (line) => {
        if (line.startsWith('rollout: ')) waiting();
      },
    });
    await polled;
    running.child.kill('SIGINT');
    const run = await running.result;
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /^::warning::cancelled \(SIGINT\): stopping the step; a cancel never stops an update campaign/m,
    );
    expect(run.stdout).toMatch(
      /^::error::cancelled: stopped waiting; update campaign [0-9a-f]{32} was left in phase active; it was NOT stopped and keeps running/m,
    );
    const campaign = emulator.state.campaigns().find((c) => c.name === 'silent-release')!;
    expect(campaign.phase).toBe('active');
    expect(run.outputs).toMatchObject({ campaign_id: campaign.id, phase: 'active', devices_pending: '2' });
    expect(emulator.callCount('stop-campaign')).toBe(0);
    expectKeyNowhere(run, API_KEY);
  });
});
