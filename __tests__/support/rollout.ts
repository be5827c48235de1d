// runCampaign() against the emulator over real HTTP on 127.0.0.1, with ONE fake clock shared by the run
// and the emulator: the rollout (starting, devices deploying after their scripted delays) follows the
// test's time, and a poll interval of minutes costs nothing. No jest imports: the demo could use it too.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirmwareImage } from '../../src/api/types.js';
import { runCampaign } from '../../src/campaign/index.js';
import type { CampaignEvent, CampaignRequest, CampaignResult } from '../../src/campaign/types.js';
import { DeviceManagementClient } from '../../src/client/campaigns.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { fixtureManifest } from '../../scripts/lib/fixture-manifest.js';
import { agentPerRun, closeAll, fakeClock, recordInto, recordingLogger } from './harness.js';

export const API_KEY = 'ak_campaign_test_0123456789SECRET';
export const DEVICE_CLASS = 'widget-class';
export const VENDOR_ID = 'acme-vendor';
export const FILTER = `device_class__eq=${DEVICE_CLASS}&vendor_id__eq=${VENDOR_ID}`;

export interface RolloutRun {
  events: CampaignEvent[];
  logger: ReturnType<typeof recordingLogger>;
}

export interface RolloutRig {
  emulator: Emulator;
  clock: ReturnType<typeof fakeClock>;
  image: FirmwareImage;
  imageSha256: string;
  manifestPath: string;
  /** Writes a manifest file (default: the fixture manifest of `image`) and returns its path. */
  writeManifest(data: Buffer, fileName?: string): Promise<string>;
  run(
    request?: Partial<CampaignRequest>,
    options?: { signal?: AbortSignal; onEvent?: (e: CampaignEvent) => void },
  ): Promise<CampaignResult> & { run: RolloutRun };
  close(): Promise<void>;
}

export async function startRolloutRig(options: Partial<EmulatorOptions> = {}): Promise<RolloutRig> {
  const clock = fakeClock();
  const emulator = await startEmulator({
    apiKey: API_KEY,
    now: () => clock.now(),
    devices: [{ count: 3, deviceClass: DEVICE_CLASS, vendorId: VENDOR_ID }],
    ...options,
  });
  const dir = await mkdtemp(join(tmpdir(), 'campaign-test-'));
  const data = randomBytes(10_000);
  const image = await emulator.state.seedFirmwareImage({ name: 'widget.bin@v1.0.0', data });
  const runs = agentPerRun();
  const writeManifest = async (bytes: Buffer, fileName = 'update.manifest') => {
    const path = join(dir, fileName);
    await writeFile(path, bytes);
    return path;
  };
  const manifestPath = await writeManifest(
    fixtureManifest({ url: image.datafile, sha256Hex: image.datafile_checksum, size: image.datafile_size }),
  );
  return {
    emulator,
    clock,
    image,
    imageSha256: createHash('sha256').update(data).digest('hex'),
    manifestPath,
    writeManifest,
    run(request = {}, opts = {}) {
      const run: RolloutRun = { events: [], logger: recordingLogger() };
      return runs.start(2, run, (agent) => {
        const client = new DeviceManagementClient({
          baseUrl: new URL(emulator.url),
          apiKey: API_KEY,
          dispatcher: agent,
          userAgent: 'campaign-test',
          requestTimeoutMs: 10_000,
          signal: opts.signal,
        });
        return runCampaign(
          {
            manifestPath: request.manifestPath ?? manifestPath,
            manifestName: 'update.manifest@v1.0.0',
            campaignName: 'update.manifest@v1.0.0',
            deviceFilter: FILTER,
            start: true,
            wait: true,
            timeoutMs: 60 * 60_000,
            minSuccessPercent: 100,
            dryRun: false,
            maxRetries: 3,
            pollIntervalMs: 5000,
            ...request,
          },
          {
            client,
            logger: run.logger,
            clock,
            signal: opts.signal,
            random: () => 0.5,
            onEvent: recordInto(run.events, opts.onEvent),
          },
        );
      });
    },
    close: () => closeAll(runs, emulator, dir),
  };
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the run to fail, but it succeeded');
}
