// Two bundled actions at once under one name, as two workflow runs (a re-run while the first is still
// uploading, two tags pushed together, matrix legs on the default name): the first holds its third chunk's
// answer for a moment, the second starts while it does. Same file: the second waits and reuses the first
// one's image. Another file: the second fails at once with the conflict, and the first is not disturbed.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededBytes } from '../../scripts/lib/prng.js';
import { MiB } from '../../src/common/bytes.js';
import {
  actionInputs,
  bundledSuite,
  errorLines,
  expectKeyNowhere,
  waitFor,
} from '../support/bundled-action.js';

const CHUNKS = 4;
// four chunks of 5 MiB, the last one 7 bytes
const { emulator, workspace, start } = bundledSuite({ image: { size: 15 * MiB + 7, seed: 21 } });
beforeAll(() => writeFile(join(workspace.dir, 'other.bin'), seededBytes(10 * MiB + 3, 22)));

const chunksStored = () => emulator.events.filter((e) => e.type === 'chunk-stored').length;

/** Starts the first action; once its third chunk is stored (its answer held 3 s), starts the second. */
async function twoActions(name: string, secondImage: string) {
  const storedBefore = chunksStored();
  emulator.faults.add({
    operation: 'append-chunk',
    nth: emulator.callCount('append-chunk') + 3,
    fault: { type: 'delay', ms: 3000 },
  });
  const first = await start({ inputs: actionInputs(emulator.url, name) });
  await waitFor('the first run to store 3 chunks', () => chunksStored() - storedBefore >= 3);
  const second = await start({ inputs: actionInputs(emulator.url, name, { 'image-path': secondImage }) });
  const [a, b] = await Promise.all([first.result, second.result]);
  emulator.faults.clear();
  return { a, b, stored: chunksStored() - storedBefore };
}

describe('two bundled actions at once under one name', () => {
  it('same file: the first uploads, the second waits for it and reuses its image', async () => {
    const { a, b, stored } = await twoActions('two-actions-same', 'firmware.bin');
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(a.outputs.outcome).toBe('uploaded');
    expect(b.outputs.outcome).toBe('reused');
    expect(b.outputs.firmware_image_id).toBe(a.outputs.firmware_image_id);
    expect(b.stdout).toMatch(/is being written by another run .* waiting for it to finish/);
    expect(b.summary).toMatch(
      /⏳ Waited [\d.]+ s for another run's upload job [0-9a-f]{32} under this name: it completed\./,
    );
    expect(stored).toBe(CHUNKS);
    const images = emulator.state.firmwareImages().filter((i) => i.name === 'two-actions-same');
    expect(images).toHaveLength(1);
    expect((await emulator.state.imageBytes(images[0]!.id)).equals(workspace.image)).toBe(true);
    expect(emulator.violations()).toEqual([]);
    expectKeyNowhere(a);
    expectKeyNowhere(b);
  });

  it('another file (matrix legs on one name): the second fails at once with the conflict; the first completes', async () => {
    const { a, b, stored } = await twoActions('two-actions-other', 'other.bin');
    expect(a.exitCode).toBe(0);
    expect(a.outputs.outcome).toBe('uploaded');
    expect(b.exitCode).not.toBe(0);
    const jobId = a.outputs.upload_job_id;
    expect(errorLines(b).join('\n')).toContain(
      `another run is uploading different content under the name "two-actions-other" (upload job ${jobId}`,
    );
    expect(b.stdout).not.toMatch(/api-host/);
    expect(stored).toBe(CHUNKS);
    const images = emulator.state.firmwareImages().filter((i) => i.name === 'two-actions-other');
    expect(images).toHaveLength(1);
    expect((await emulator.state.imageBytes(images[0]!.id)).equals(workspace.image)).toBe(true);
    expect(emulator.violations()).toEqual([]);
  });
});
