// What a run takes for its own: a same-named manifest only with the same bytes (not merely the same size),
// a same-named campaign only with the same manifest and the same device filter. Anything else fails
// before something is created or started, and a dry run reports the same failure.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CampaignFailure } from '../../src/campaign/index.js';
import type { Operation } from '../../src/emulator/index.js';
import { fixtureManifest } from '../../scripts/lib/fixture-manifest.js';
import { FILTER, failureOf, startRolloutRig, type RolloutRig } from '../support/rollout.js';

let rig: RolloutRig;
afterEach(async () => {
  await rig.close();
});

const CHANGES: Operation[] = ['create-manifest', 'create-campaign', 'start-campaign', 'stop-campaign'];
const changes = (r: RolloutRig) => CHANGES.map((op) => r.emulator.callCount(op));

/** A release 2 manifest of the same size as release 1's: a new image of the same size, a new version. */
async function nextRelease(r: RolloutRig): Promise<{ path: string; sha256Hex: string }> {
  const image = await r.emulator.state.seedFirmwareImage({
    name: 'widget.bin@v1.0.1',
    data: randomBytes(10_000),
  });
  const bytes = fixtureManifest({
    url: image.datafile,
    sha256Hex: image.datafile_checksum,
    size: image.datafile_size,
    version: '1.0.1',
  });
  return { path: await r.writeManifest(bytes, 'update.manifest'), sha256Hex: image.datafile_checksum };
}

async function expectRefused(call: Promise<unknown>, input: string, message: RegExp) {
  const failure = (await failureOf(call)) as unknown as CampaignFailure;
  expect(failure.kind).toBe('precondition');
  expect(failure.message).toMatch(message);
  expect(failure.advice?.inputs()).toContain(input);
  return failure;
}

describe('a same-named manifest of the same size', () => {
  it('with other bytes is not ours: release 2 fails naming manifest-name, and creates nothing', async () => {
    rig = await startRolloutRig();
    await rig.run();
    const v1 = rig.emulator.state.manifests()[0]!;
    const v2 = await nextRelease(rig);
    expect(rig.emulator.state.manifests()[0]!.datafile_size).toBe((await readFile(v2.path)).length);
    const before = changes(rig);

    await expectRefused(
      rig.run({ dryRun: true }),
      'manifest-name',
      new RegExp(
        `^dry run: a real run would fail: a firmware manifest named "update\\.manifest@v1\\.0\\.0" already exists \\(id ${v1.id}.*its bytes differ`,
      ),
    );
    await expectRefused(
      rig.run(),
      'manifest-name',
      /^a firmware manifest named "update\.manifest@v1\.0\.0" already exists .*its bytes differ.*nothing was created$/,
    );
    expect(changes(rig)).toEqual(before);
    expect(rig.emulator.state.devices().some((d) => d.firmware_checksum === v2.sha256Hex)).toBe(false);
  });

  it('with the same bytes is ours: the re-run resumes, having read the stored bytes', async () => {
    rig = await startRolloutRig();
    const first = await rig.run({ start: false });
    // The first run found no manifest of the name: it read no stored manifest.
    expect(rig.emulator.callCount('download-manifest')).toBe(0);
    const again = await rig.run();
    expect(again).toMatchObject({ outcome: 'resumed', manifestId: first.manifestId });
    expect(rig.emulator.callCount('download-manifest')).toBeGreaterThan(0);
    expect(rig.emulator.callCount('create-manifest')).toBe(1);
  });

  it('without a size and with bytes that cannot be read: fails naming manifest-name', async () => {
    rig = await startRolloutRig();
    await rig.run({ start: false });
    const before = changes(rig);
    rig.emulator.faults.add({
      operation: 'list-manifests',
      fault: { type: 'mangle', drop: ['datafile_size'] },
    });
    rig.emulator.faults.add({ operation: 'download-manifest', fault: { type: 'status', status: 404 } });
    for (const dryRun of [true, false]) {
      await expectRefused(
        rig.run({ dryRun }),
        'manifest-name',
        /a firmware manifest named "update\.manifest@v1\.0\.0" already exists .*its bytes could not be read.*nothing was created$/,
      );
    }
    expect(changes(rig)).toEqual(before);
  });

  it('without a size but with the same bytes is ours', async () => {
    rig = await startRolloutRig();
    const first = await rig.run({ start: false });
    rig.emulator.faults.add({
      operation: 'list-manifests',
      fault: { type: 'mangle', drop: ['datafile_size'] },
    });
    const again = await rig.run({ start: false });
    expect(again).toMatchObject({ outcome: 'resumed', manifestId: first.manifestId });
  });

  it('a stored manifest body over the 2 KB limit is refused, not read on', async () => {
    rig = await startRolloutRig();
    await rig.run({ start: false });
    rig.emulator.faults.add({ operation: 'download-manifest', fault: { type: 'endless-body' } });
    const failure = (await failureOf(rig.run({ start: false }))) as unknown as CampaignFailure;
    expect(failure.kind).toBe('service');
    expect(failure.message).toMatch(
      /read firmware manifest [0-9a-f]{32}.*over 2 KiB, more than any such answer/,
    );
    expect(rig.emulator.callCount('create-campaign')).toBe(1);
  });
});

describe('a same-named campaign on the same manifest', () => {
  it('with another device filter is not ours: the fleet run after a pilot fails naming campaign-name', async () => {
    rig = await startRolloutRig();
    const pilot = rig.emulator.state.devices()[0]!.id;
    const first = await rig.run({ deviceFilter: `${FILTER}&id__eq=${pilot}` });
    expect(first.counts.total).toBe(1);
    const before = changes(rig);

    for (const dryRun of [true, false]) {
      const failure = await expectRefused(
        rig.run({ dryRun }),
        'campaign-name',
        new RegExp(
          `^${dryRun ? 'dry run: a real run would fail: ' : ''}update campaign ${first.campaignId} ` +
            '\\("update\\.manifest@v1\\.0\\.0"\\) already delivers this manifest to another device filter.*nothing was created$',
        ),
      );
      // The fleet's devices were counted: the outputs say what the filter matches.
      expect(failure.result.counts.total).toBe(3);
    }
    expect(changes(rig)).toEqual(before);
    expect(rig.emulator.state.campaigns()).toHaveLength(1);
  });

  it('with the same device filter is ours: resumed', async () => {
    rig = await startRolloutRig();
    const first = await rig.run({ start: false });
    const again = await rig.run();
    expect(again).toMatchObject({ outcome: 'resumed', campaignId: first.campaignId });
    expect(rig.emulator.state.campaigns()[0]!.device_filter).toBe(FILTER);
  });
});
