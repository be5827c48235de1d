// SIGINT to the bundled campaign action (dist/campaign/index.js) while its campaign POST or its start POST
// is in flight (the emulator has acted, its answer is delayed): the step cannot know whether the change
// took, and says so, never that nothing was created or that the campaign is a draft.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fixtureManifest } from '../../scripts/lib/fixture-manifest.js';
import type { Operation } from '../../src/emulator/index.js';
import { bundledSuite, errorLines, expectKeyNowhere, waitFor } from '../support/bundled-action.js';

const API_KEY = 'ak_e2e_cancel_5ecret_never_logged';
const FILTER = 'device_class__eq=cancel-class';

const { emulator, workspace, start } = bundledSuite({
  emulator: {
    apiKey: API_KEY,
    devices: [{ count: 2, deviceClass: 'cancel-class', vendorId: 'v', script: { outcome: 'silent' } }],
    campaignTiming: { startingMs: 0, stoppingMs: 0 },
  },
  image: { size: 1000, seed: 7, label: 'e2e-cancel' },
});

beforeAll(async () => {
  const image = await emulator.state.seedFirmwareImage({ name: 'cancel.bin', data: randomBytes(1000) });
  const manifest = fixtureManifest({
    url: image.datafile,
    sha256Hex: image.datafile_checksum,
    size: image.datafile_size,
  });
  await writeFile(join(workspace.dir, 'update.manifest'), manifest);
});

/** Runs the step with `operation`'s next answer held back, and sends SIGINT once `acted()` holds. */
async function cancelWhileInFlight(operation: Operation, name: string, acted: () => boolean) {
  emulator.faults.add({
    operation,
    nth: emulator.callCount(operation) + 1,
    fault: { type: 'delay', ms: 20_000 },
  });
  const running = await start({
    action: 'campaign',
    inputs: {
      'api-key': API_KEY,
      'api-host': emulator.url,
      'manifest-path': 'update.manifest',
      'manifest-name': name,
      'device-filter': FILTER,
      wait: 'true',
    },
  });
  await waitFor(`${operation} to take effect`, acted);
  running.child.kill('SIGINT');
  const run = await running.result;
  emulator.faults.clear();
  expect(run.exitCode).toBe(1);
  // Said at the signal, before the run knows where it stands: true whatever that is.
  expect(run.stdout).toMatch(
    /^::warning::cancelled \(SIGINT\): stopping the step; a cancel never stops an update campaign \(the error says where it stands\)$/m,
  );
  expectKeyNowhere(run, API_KEY);
  return run;
}

const campaignNamed = (name: string) => emulator.state.campaigns().find((c) => c.name === name);

describe('a cancel while a change is in flight', () => {
  it('during the campaign POST: the campaign may have been created', async () => {
    const run = await cancelWhileInFlight('create-campaign', 'cancel-create', () =>
      Boolean(campaignNamed('cancel-create')),
    );
    expect(errorLines(run)).toEqual([
      '::error::cancelled: stopped waiting; update campaign "cancel-create" may have been created ' +
        '(the service had not answered yet). re-run the step to find this campaign and resume waiting',
    ]);
    expect(campaignNamed('cancel-create')!.phase).toBe('draft');
    expect(run.outputs.campaign_id).toBeUndefined();
  });

  it('during the start POST: the campaign may have been started', async () => {
    const run = await cancelWhileInFlight(
      'start-campaign',
      'cancel-start',
      () => (campaignNamed('cancel-start')?.phase ?? 'draft') !== 'draft',
    );
    const campaign = campaignNamed('cancel-start')!;
    expect(errorLines(run)).toEqual([
      `::error::cancelled: stopped waiting; update campaign ${campaign.id} may have been started ` +
        '(the service had not answered yet). re-run the step to find this campaign and resume waiting',
    ]);
    expect(campaign.phase).toBe('active');
    expect(run.outputs.campaign_id).toBe(campaign.id);
    expect(emulator.callCount('stop-campaign')).toBe(0);
  });
});
