// `izuma-firmware-publish campaign` against the emulator over real HTTP: the same runCampaign() as the
// action, its options mapped onto the action's inputs, outputs on stdout (on failure too), exit codes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fixtureManifest } from '../../scripts/lib/fixture-manifest.js';
import { runCli } from '../../src/cli/run.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

const KEY = 'ak_cli_campaign_secret_0123456789';
let emulator: Emulator;
let dir: string;
let manifest: string;

beforeAll(async () => {
  emulator = await startEmulator({
    apiKey: KEY,
    devices: [
      {
        count: 2,
        deviceClass: 'cli-class',
        vendorId: 'cli-vendor',
        script: { outcome: 'deploy', afterMs: 0 },
      },
    ],
    campaignTiming: { startingMs: 0, stoppingMs: 0 },
  });
  const image = await emulator.state.seedFirmwareImage({ name: 'cli-image', data: randomBytes(1000) });
  dir = mkdtempSync(path.join(tmpdir(), 'cli-campaign-'));
  manifest = path.join(dir, 'update.manifest');
  writeFileSync(
    manifest,
    fixtureManifest({ url: image.datafile, sha256Hex: image.datafile_checksum, size: image.datafile_size }),
  );
});
afterAll(async () => {
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string> = { IZUMA_API_KEY: KEY }) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env,
    isTTY: false,
    cwd: dir,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const base = () => ['campaign', '--manifest', manifest, '--api-host', emulator.url, '--json'];

describe('izuma-firmware-publish campaign', () => {
  it('rolls out with --wait and prints the outputs as JSON', async () => {
    const run = await cli([
      ...base(),
      '--device-filter',
      'device_class__eq=cli-class',
      '--manifest-name',
      'cli-m',
      '--wait',
    ]);
    expect(run.stderr).toMatch(/rollout: phase .*2 of 2 devices done \(100%\)/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      phase: 'autostopped',
      devices_total: '2',
      devices_succeeded: '2',
      failed_devices: '[]',
      outcome: 'created',
    });
    expect(run.stderr + run.stdout).not.toContain(KEY);
  });

  it('--dry-run changes nothing and reports the device count', async () => {
    const before = emulator.callCount('create-campaign');
    const run = await cli([
      ...base(),
      '--device-filter',
      'vendor_id__eq=cli-vendor',
      '--manifest-name',
      'cli-dry',
      '--dry-run',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'dry-run', devices_total: '2' });
    expect(emulator.callCount('create-campaign')).toBe(before);
  });

  it('--no-start leaves a draft', async () => {
    const run = await cli([
      ...base(),
      '--device-filter',
      'vendor_id__eq=cli-vendor',
      '--manifest-name',
      'cli-draft',
      '--no-start',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ phase: 'draft', outcome: 'created' });
  });

  it('names the option in a bad value, exit code 2', async () => {
    const run = await cli([...base(), '--device-filter', 'device_class__eq=x', '--timeout', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "error: --timeout: 'soon' must be a number of minutes above 0 and at most 1440, e.g. 60.\n",
    );
    const filter = await cli([...base(), '--device-filter', 'not a filter']);
    expect(filter.code).toBe(2);
    expect(filter.stderr).toMatch(/^error: --device-filter: 'not a filter' is not a `field__op=value` pair/);
  });

  it('zero matching devices: exit code 1, naming the filter', async () => {
    const run = await cli([...base(), '--device-filter', 'device_class__eq=none']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error: the device filter `device_class__eq=none` matches no devices; nothing was created. check --device-filter/,
    );
    // --json: the failure is one object on stdout, with no outputs (nothing was created).
    const failure = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(failure).toEqual({ error: expect.stringMatching(/matches no devices/), exit_code: 1 });
  });

  it('a pilot then the fleet under one campaign name: the fleet run fails naming --campaign-name', async () => {
    const pilot = emulator.state.devices()[0]!.id;
    const named = [...base(), '--manifest-name', 'cli-pilot-m', '--campaign-name', 'cli-pilot'];
    const first = await cli([...named, '--device-filter', `device_class__eq=cli-class&id__eq=${pilot}`]);
    expect(first.code).toBe(0);
    const campaigns = emulator.state.campaigns().length;
    const fleet = await cli([...named, '--device-filter', 'device_class__eq=cli-class']);
    expect(fleet.code).toBe(1);
    expect(fleet.stderr).toMatch(
      /error: update campaign [0-9a-f]{32} \("cli-pilot"\) already delivers this manifest to another device filter .*set --campaign-name to a name of its own/s,
    );
    expect(emulator.state.campaigns()).toHaveLength(campaigns);
  });

  it('no key: exit code 2, saying where the key goes', async () => {
    const run = await cli([...base(), '--device-filter', 'device_class__eq=x'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/IZUMA_API_KEY/);
  });
});
