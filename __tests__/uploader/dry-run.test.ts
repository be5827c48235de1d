// The dry run decides what a real run would do from read-only requests: the service is left untouched.
import { describe, expect, it } from '@jest/globals';
import { ServiceError } from '../../src/client/errors.js';
import { CHUNK, randomImage, sha256Hex } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';
import type { ConflictPolicy } from '../../src/uploader/types.js';

const h = harnessForSuite();

function snapshot() {
  const { state } = h.emulator;
  const ops = ['create-job', 'append-chunk', 'complete-job', 'delete-job', 'update-job'] as const;
  return JSON.stringify({
    jobs: state.uploadJobs().map((job) => ({ job, chunks: state.chunks(job.id) })),
    images: state.firmwareImages(),
    writes: ops.map((op) => h.emulator.callCount(op)),
  });
}

async function dryRun(name: string, data: Buffer, onConflict: ConflictPolicy = 'reuse') {
  const before = snapshot();
  const result = await h.publish({ imagePath: await h.image(data), name, onConflict, dryRun: true });
  expect(snapshot()).toEqual(before);
  expect(result).toMatchObject({
    outcome: 'dry-run',
    datafileChecksum: sha256Hex(data),
    datafileSize: data.length,
  });
  expect(result.firmwareImageId).toBeUndefined();
  return result;
}

describe('dry run', () => {
  it('a free name: a new upload, with the chunk plan', async () => {
    const result = await dryRun('dry-new', randomImage(2 * CHUNK + 1));
    expect(result.dryRunDecision).toEqual({ action: 'new-upload', description: 'new upload' });
    expect(result.plan).toEqual({ chunkSize: CHUNK, count: 3, lastChunkSize: 1, meetsMinimumRule: true });
    expect(result.chunkCount).toBe(3);
  });

  it('an identical image: reuse', async () => {
    const data = randomImage(100);
    const image = await h.emulator.state.seedFirmwareImage({ name: 'dry-reuse', data });
    const result = await dryRun('dry-reuse', data);
    expect(result.dryRunDecision).toEqual({
      action: 'reuse',
      description: `reuse identical image ${image.id}`,
    });
  });

  it('a matching unfinished job: resume, saying how many chunks it holds', async () => {
    const data = randomImage(2 * CHUNK + 1);
    const job = await h.emulator.state.seedUploadJob({
      name: 'dry-resume',
      chunks: [data.subarray(0, CHUNK)],
    });
    const result = await dryRun('dry-resume', data);
    expect(result.dryRunDecision).toEqual({
      action: 'resume',
      description: `resume unfinished job ${job.id} (1 of 3 chunks held)`,
    });
  });

  it('a mismatching unfinished job: restart (its MD5s checked from the hashed file)', async () => {
    const data = randomImage(2 * CHUNK + 1);
    const job = await h.emulator.state.seedUploadJob({ name: 'dry-restart', chunks: [randomImage(CHUNK)] });
    const result = await dryRun('dry-restart', data);
    expect(result.dryRunDecision?.action).toBe('restart');
    expect(result.dryRunDecision?.description).toMatch(
      new RegExp(`^restart mismatching job ${job.id}: .*MD5`),
    );
  });

  it('a conflict that would fail: under reuse (different image) and under fail', async () => {
    const theirs = randomImage(50);
    await h.emulator.state.seedFirmwareImage({ name: 'dry-conflict', data: theirs });
    const reuse = await dryRun('dry-conflict', randomImage(60));
    expect(reuse.dryRunDecision?.action).toBe('conflict');
    expect(reuse.dryRunDecision?.description).toContain(sha256Hex(theirs));
    const fail = await dryRun('dry-conflict', theirs, 'fail');
    expect(fail.dryRunDecision?.description).toMatch(/^conflict that would fail: .*on-conflict is `fail`/);
  });

  it('suffix: the name a real run would use', async () => {
    await h.emulator.state.seedFirmwareImage({ name: 'dry-sfx', data: randomImage(5) });
    const result = await dryRun('dry-sfx', randomImage(5), 'suffix');
    expect(result.dryRunDecision).toEqual({ action: 'suffix', description: 'suffix → dry-sfx-2' });
    expect(result.name).toBe('dry-sfx-2');
  });

  it('plan: a chunk size under 5 MiB breaks the rule when there is more than one chunk', async () => {
    const result = await h.publish({
      imagePath: await h.image(randomImage(3000)),
      name: 'dry-small-chunks',
      chunkSize: 1000,
      dryRun: true,
    });
    expect(result.plan).toEqual({ chunkSize: 1000, count: 3, lastChunkSize: 1000, meetsMinimumRule: false });
  });

  it('checks the credentials with a read-only request: a wrong key fails with the 401', async () => {
    const error = await h
      .publish(
        { imagePath: await h.image(randomImage(5)), name: 'dry-auth', dryRun: true },
        { apiKey: 'ak_nope' },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(401);
  });
});
