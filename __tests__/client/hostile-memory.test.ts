// Peak memory while the service sends hostile bodies, measured in a child process (its RSS, sampled every
// 5 ms) rather than timed: a 600 MiB error page and a 200 whose body never ends must cost the client no
// more than the caps (8 MiB of JSON, 64 KiB of error body), far below the bound asserted here. Without
// the caps, the first grows to over 600 MiB and the second without end (about 300 MiB/s).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

const API_KEY = 'ak_hostile_memory_5ecret';
/** Node with tsx and undici loaded is about 100-150 MiB; what the caps allow adds a few MiB. */
const PEAK_RSS_BOUND_MIB = 300;
const SCRIPT = fileURLToPath(new URL('../support/hostile-client.ts', import.meta.url));

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ apiKey: API_KEY });
});
afterAll(() => emulator.stop());

async function runClient(call: string): Promise<{ message: string; peakRssMiB: number }> {
  // A small heap as well: a client that buffers the body runs out of memory instead of passing.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--max-old-space-size=192', '--import', 'tsx', SCRIPT, emulator.url, API_KEY, call],
    { env: { PATH: process.env.PATH }, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout) as { message: string; peakRssMiB: number };
}

describe('peak memory of the client under hostile bodies (child process)', () => {
  it('a 600 MiB gateway error page', async () => {
    emulator.faults.load([
      { operation: 'list-images', fault: { type: 'huge-body', bytes: 600 * 1024 * 1024, status: 502 } },
    ]);
    const result = await runClient('list-images');
    expect(result.message).toMatch(/502 Bad Gateway \(non-JSON body of over/);
    expect(result.peakRssMiB).toBeLessThan(PEAK_RSS_BOUND_MIB);
  });

  it('a 200 whose body never ends', async () => {
    const job = await emulator.state.seedUploadJob({ name: 'memory-endless' });
    emulator.faults.load([{ operation: 'get-job', fault: { type: 'endless-body' } }]);
    const result = await runClient(`get-job:${job.id}`);
    expect(result.message).toMatch(/response too large from get upload job/);
    expect(result.peakRssMiB).toBeLessThan(PEAK_RSS_BOUND_MIB);
  });

  it('paging that never ends', async () => {
    emulator.faults.load([{ operation: 'list-jobs', fault: { type: 'endless-paging' } }]);
    const result = await runClient('list-jobs-all');
    expect(result.message).toMatch(/has_more without end/);
    expect(result.peakRssMiB).toBeLessThan(PEAK_RSS_BOUND_MIB);
  });
});
