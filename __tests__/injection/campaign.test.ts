// The campaign step's side of the injection promise: what the service says about a rollout (failure
// reasons, the stop reason, campaign and manifest fields) reaches the bundled campaign action's stdout,
// which the runner reads for workflow commands, only neutralised.
import { describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixtureManifest } from '../../scripts/lib/fixture-manifest.js';
import { seededBytes } from '../../scripts/lib/prng.js';
import { bundledSuite, expectKeyNowhere } from '../support/bundled-action.js';
import { expectNoInjectedCommand, PAYLOAD } from '../support/workflow-commands.js';

const API_KEY = 'ak_campaign_injection_5ecret_0123456789';
const FILTER = { deviceClass: 'inj-class', vendorId: 'inj-vendor' };

const { emulator, workspace, run } = bundledSuite({
  emulator: {
    apiKey: API_KEY,
    devices: [{ count: 2, ...FILTER, script: { outcome: 'fail', afterMs: 0, reason: `flash${PAYLOAD}` } }],
    campaignTiming: { startingMs: 0, stoppingMs: 0 },
  },
  image: { size: 4096, seed: 71, fileName: 'unused.bin', label: 'campaign-injection' },
});

describe('the bundled campaign action, with the payload in what the service reports', () => {
  it('logs the stop reason neutralised, keeps the failure reasons in failed_devices, and fails', async () => {
    const image = await emulator.state.seedFirmwareImage({ name: 'inj-image', data: seededBytes(4096, 72) });
    await writeFile(
      join(workspace.dir, 'manifest.bin'),
      fixtureManifest({ url: image.datafile, sha256Hex: image.datafile_checksum, size: image.datafile_size }),
    );
    // The service stops the campaign by itself, with the payload as its reason (logged in the failure).
    const hostile = { phase: 'autostopped', autostop_reason: `stopped${PAYLOAD}`, description: PAYLOAD };
    emulator.faults.add({ operation: 'get-campaign', fault: { type: 'mangle', set: hostile } });
    try {
      const result = await run({
        action: 'campaign',
        inputs: {
          'api-key': API_KEY,
          'api-host': emulator.url,
          'manifest-path': 'manifest.bin',
          'device-filter': `device_class__eq=${FILTER.deviceClass}&vendor_id__eq=${FILTER.vendorId}`,
          wait: 'true',
        },
      });
      expect(result.exitCode).toBe(1);
      // The device failure reasons are in the output as JSON; the stop reason is logged, neutralised.
      expect(JSON.parse(result.outputs.failed_devices!)).toEqual([
        expect.objectContaining({ reason: `flash${PAYLOAD}` }),
        expect.objectContaining({ reason: `flash${PAYLOAD}` }),
      ]);
      // Flattened onto the failure line, controls escaped: never a line of its own.
      expect(result.stdout).toMatch(
        /^::error::update campaign .* autostopped .*: stoppedx ::error title=pwned::lf /m,
      );
      expectNoInjectedCommand(result.stdout);
      expectKeyNowhere(result, API_KEY);
    } finally {
      emulator.faults.clear();
    }
  });
});
