// `npm run demo`: the bundled action publishing a 120 MiB image to the emulator, exactly as a runner
// would run it, then the outputs and the job summary. Everything lives in temp dirs, removed at the end.
// `npm run demo -- --rollout` rehearses the whole release: publish, a fixture manifest embedding the
// published image's URL and digest (what `manifest-dev-tool create` would write), then the campaign step
// waiting for the emulator's devices (one of them scripted to fail) and gating on the result.
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { startEmulator, type DeviceSeed } from '../src/emulator/index.js';
import { fixtureManifest } from './lib/fixture-manifest.js';
import {
  ACTION_ENTRY,
  CAMPAIGN_ACTION_ENTRY,
  PROJECT_ROOT,
  renderLogLine,
  runAction,
  type ActionRunOptions,
} from './lib/run-action.js';
import { MiB } from '../src/common/bytes.js';

const IMAGE_SIZE = 120 * MiB;
/** The rollout rehearsal moves a smaller image: the campaign is the point. */
const ROLLOUT_IMAGE_SIZE = 12 * MiB;
const ROLLOUT = process.argv.includes('--rollout');
/** Eight devices taking the update over half a minute; one fails, so the 80% gate is what passes it. */
const DEMO_DEVICES: DeviceSeed[] = [
  ...[4000, 9000, 14000, 19000, 24000, 28000, 31000].map((afterMs, i) => ({
    count: 1,
    deviceClass: 'widget',
    vendorId: 'acme',
    namePrefix: `widget-${i + 1}`,
    script: { outcome: 'deploy' as const, afterMs },
  })),
  {
    count: 1,
    deviceClass: 'widget',
    vendorId: 'acme',
    namePrefix: 'widget-8',
    script: { outcome: 'fail', afterMs: 12000, reason: 'flash write error at 0x0804_0000' },
  },
];
const DEMO_KEY = 'ak_demo_key';
const SUMMARY_PREVIEW_LINES = 20;

/** Deterministic pseudo-random bytes (xorshift32), written a MiB at a time. */
async function writeSampleImage(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  let state = 0x9e3779b9;
  for (let written = 0; written < size; written += MiB) {
    const block = Buffer.alloc(Math.min(MiB, size - written));
    for (let i = 0; i + 4 <= block.length; i += 4) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      block.writeInt32LE(state | 0, i);
    }
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Runs one bundled action, showing its log as GitHub would, then its outputs and summary; returns the outputs. */
async function runShown(
  options: ActionRunOptions,
  summaryName: string,
): Promise<{ exitCode: number; outputs: Record<string, string> }> {
  const entry = options.action === 'campaign' ? CAMPAIGN_ACTION_ENTRY : ACTION_ENTRY;
  console.log(`running ${entry} on Node 24 as a GitHub runner would:\n`);
  const run = await runAction({
    ...options,
    onLine: (line) => {
      const shown = renderLogLine(line);
      if (shown !== undefined) console.log(`  │ ${shown}`);
    },
  });
  try {
    console.log(`\naction exited with code ${run.exitCode}`);
    console.log('\noutputs:');
    for (const [name, value] of Object.entries(run.outputs)) console.log(`  ${name} = ${value}`);
    // The runner's temp files go away; the summary is kept where one can open it afterwards.
    const summaryPath = join(PROJECT_ROOT, '.tmp', summaryName);
    await mkdir(dirname(summaryPath), { recursive: true });
    await writeFile(summaryPath, run.summary);
    const summaryLines = run.summary.split('\n');
    console.log(`\njob summary: ${summaryPath}; its first lines:\n`);
    for (const line of summaryLines.slice(0, SUMMARY_PREVIEW_LINES)) console.log(`  ${line}`);
    if (summaryLines.length > SUMMARY_PREVIEW_LINES) console.log('  …');
    return { exitCode: run.exitCode ?? 1, outputs: run.outputs };
  } finally {
    await run.cleanup();
  }
}

async function main(): Promise<number> {
  const workspace = await mkdtemp(join(tmpdir(), 'izuma-demo-'));
  const emulator = await startEmulator({
    apiKey: DEMO_KEY,
    port: 0,
    ...(ROLLOUT && { devices: DEMO_DEVICES }),
  });
  const env = { GITHUB_REF: 'refs/tags/v1.0.0' };
  try {
    console.log(`emulator: ${emulator.url} (key ${DEMO_KEY.slice(0, 3)}…)`);
    const size = ROLLOUT ? ROLLOUT_IMAGE_SIZE : IMAGE_SIZE;
    await writeSampleImage(join(workspace, 'widget-firmware.bin'), size);
    console.log(`image: ${join(workspace, 'widget-firmware.bin')} (${size / MiB} MiB)`);
    const inputs = {
      'api-key': DEMO_KEY,
      'api-host': emulator.url,
      'image-path': '*.bin',
      'chunk-size': '16MiB',
    };
    const published = await runShown({ cwd: workspace, inputs, env }, 'demo-summary.md');
    if (!ROLLOUT || published.exitCode !== 0) return published.exitCode;

    // What `manifest-dev-tool create --payload-url <datafile_url>` would write: URL and raw SHA-256 inside.
    const { datafile_url: url, datafile_checksum: sha256Hex, datafile_size: imageSize } = published.outputs;
    const manifest = fixtureManifest({
      url: url!,
      sha256Hex: sha256Hex!,
      size: Number(imageSize),
      version: '1.0.0',
    });
    await writeFile(join(workspace, 'update-manifest.bin'), manifest);
    console.log(`\nmanifest: update-manifest.bin (${manifest.length} bytes), payload ${url}\n`);
    const rolledOut = await runShown(
      {
        action: 'campaign',
        cwd: workspace,
        env,
        inputs: {
          'api-key': DEMO_KEY,
          'api-host': emulator.url,
          'manifest-path': 'update-manifest.bin',
          'device-filter': 'device_class__eq=widget&vendor_id__eq=acme',
          wait: 'true',
          timeout: '5',
          'min-success-percent': '80',
          'max-failed-devices': '2',
        },
      },
      'demo-rollout-summary.md',
    );
    return rolledOut.exitCode;
  } finally {
    await emulator.stop();
    await rm(workspace, { recursive: true, force: true });
  }
}

process.exitCode = await main();
