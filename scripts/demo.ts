// `npm run demo`: the bundled action publishing a 120 MiB image to the emulator, exactly as a runner
// would run it, then the outputs and the job summary. Everything lives in temp dirs, removed at the end.
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { startEmulator } from '../src/emulator/index.js';
import { ACTION_ENTRY, PROJECT_ROOT, renderLogLine, runAction } from './lib/run-action.js';

const MiB = 1024 * 1024;
const IMAGE_SIZE = 120 * MiB;
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

async function main(): Promise<number> {
  const workspace = await mkdtemp(join(tmpdir(), 'izuma-demo-'));
  const emulator = await startEmulator({ apiKey: DEMO_KEY, port: 0 });
  try {
    console.log(`emulator: ${emulator.url} (key ${DEMO_KEY.slice(0, 3)}…)`);
    await writeSampleImage(join(workspace, 'widget-firmware.bin'), IMAGE_SIZE);
    console.log(`image: ${join(workspace, 'widget-firmware.bin')} (120 MiB)`);
    console.log(`running ${ACTION_ENTRY} on Node 24 as a GitHub runner would:\n`);

    const run = await runAction({
      cwd: workspace,
      inputs: {
        'api-key': DEMO_KEY,
        'api-host': emulator.url,
        'image-path': '*.bin',
        'chunk-size': '16MiB',
      },
      env: { GITHUB_REF: 'refs/tags/v1.0.0' },
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
      const summaryPath = join(PROJECT_ROOT, '.tmp', 'demo-summary.md');
      await mkdir(dirname(summaryPath), { recursive: true });
      await writeFile(summaryPath, run.summary);
      const summaryLines = run.summary.split('\n');
      console.log(`\njob summary: ${summaryPath}; its first lines:\n`);
      for (const line of summaryLines.slice(0, SUMMARY_PREVIEW_LINES)) console.log(`  ${line}`);
      if (summaryLines.length > SUMMARY_PREVIEW_LINES) console.log('  …');
      return run.exitCode ?? 1;
    } finally {
      await run.cleanup();
    }
  } finally {
    await emulator.stop();
    await rm(workspace, { recursive: true, force: true });
  }
}

process.exitCode = await main();
