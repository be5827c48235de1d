// on-conflict against the emulator: every way a name can already be taken, under each policy.
import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '../../src/uploader/errors.js';
import { CHUNK, randomImage, sha256Hex, storedBytes } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';

const h = harnessForSuite();

/**
 * What changes the service: none may happen where a policy says to change nothing. The jobs are counted,
 * not the creates: the run's first request is a create, which a taken name refuses (409) unchanged.
 */
function writes() {
  const ops = ['append-chunk', 'complete-job', 'delete-job', 'update-job'] as const;
  return [h.emulator.state.uploadJobs().length, ...ops.map((op) => h.emulator.callCount(op))];
}

describe('on-conflict reuse (the default)', () => {
  it('an identical image is the result: nothing uploaded', async () => {
    const data = randomImage(CHUNK + 100);
    const seeded = await h.emulator.state.seedFirmwareImage({ name: 'reuse-same', data });
    const before = writes();
    const result = await h.publish({ imagePath: await h.image(data), name: 'reuse-same' });
    expect(result).toMatchObject({
      outcome: 'reused',
      name: 'reuse-same',
      firmwareImageId: seeded.id,
      datafileUrl: seeded.datafile,
      datafileChecksum: sha256Hex(data),
      datafileSize: data.length,
      chunksSent: 0,
    });
    expect(writes()).toEqual(before);
  });

  it('an image with different content fails, naming the image, its id, both sizes and checksums', async () => {
    const theirs = randomImage(300);
    const ours = randomImage(200);
    const seeded = await h.emulator.state.seedFirmwareImage({ name: 'reuse-other', data: theirs });
    const before = writes();
    const error = await h
      .publish({ imagePath: await h.image(ours), name: 'reuse-other' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    const message = (error as Error).message;
    for (const part of [
      '"reuse-other"',
      seeded.id,
      '300 bytes',
      '200 bytes',
      sha256Hex(theirs),
      sha256Hex(ours),
    ]) {
      expect(message).toContain(part);
    }
    expect(writes()).toEqual(before);
    expect(h.emulator.state.firmwareImages().find((i) => i.id === seeded.id)).toEqual(seeded);
  });

  it('an unfinished job holding the first chunks is resumed: only the missing chunks are sent', async () => {
    const data = randomImage(3 * CHUNK + 7);
    const job = await h.emulator.state.seedUploadJob({
      name: 'resume',
      chunks: [data.subarray(0, CHUNK), data.subarray(CHUNK, 2 * CHUNK)],
    });
    const appends = h.emulator.callCount('append-chunk');
    const creates = h.emulator.callCount('create-job');
    const call = h.publish({ imagePath: await h.image(data), name: 'resume' });
    const result = await call;
    expect(result).toMatchObject({
      outcome: 'resumed',
      uploadJobId: job.id,
      chunkCount: 4,
      chunksSent: 2,
      chunksResumed: 2,
    });
    expect(h.emulator.callCount('append-chunk') - appends).toBe(2);
    // One create, refused (409: the job holds the name), and no other job.
    expect(h.emulator.callCount('create-job')).toBe(creates + 1);
    expect(h.emulator.state.uploadJobs().filter((j) => j.name === 'resume')).toHaveLength(1);
    expect((await storedBytes(h.emulator, result)).equals(data)).toBe(true);
    expect(call.run.logger.lines).toContain(
      `info: resuming: 2 of 4 chunks already held by upload job ${job.id}`,
    );
    expect(result.timeline.map((t) => t.skipped)).toEqual([true, true, false, false]);
    expect(
      call.run.events
        .filter((e) => e.type === 'chunk-skipped')
        .map((e) => e.type === 'chunk-skipped' && e.bytesDone),
    ).toEqual([CHUNK, 2 * CHUNK]);
  });

  it('an unfinished job whose chunk differs from the file is deleted and started over, with a warning', async () => {
    const data = randomImage(2 * CHUNK + 1);
    const other = randomImage(CHUNK); // same length as chunk 1: only the MD5 tells them apart
    const job = await h.emulator.state.seedUploadJob({ name: 'restart-md5', chunks: [other] });
    const call = h.publish({ imagePath: await h.image(data), name: 'restart-md5' });
    const result = await call;
    expect(result).toMatchObject({ outcome: 'uploaded', chunksSent: 3, chunksResumed: 0 });
    expect(result.uploadJobId).not.toBe(job.id);
    expect(h.emulator.state.uploadJobs().some((j) => j.id === job.id)).toBe(false);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`deleted upload job ${job.id} .*its chunks did not match the local file.*MD5`),
      ),
    ]);
    expect(call.run.events).toContainEqual(expect.objectContaining({ type: 'job-deleted', jobId: job.id }));
    expect((await storedBytes(h.emulator, result)).equals(data)).toBe(true);
  });

  it('an unfinished job whose chunk lengths differ is deleted before anything is sent to it', async () => {
    const data = randomImage(CHUNK + 1);
    const job = await h.emulator.state.seedUploadJob({
      name: 'restart-length',
      chunks: [randomImage(CHUNK + 1)],
    });
    const result = await h.publish({ imagePath: await h.image(data), name: 'restart-length' });
    expect(result.outcome).toBe('uploaded');
    expect(result.warnings.join('\n')).toMatch(
      /its chunk 1 is 5242881 bytes where the local file has 5242880/,
    );
    expect(h.emulator.state.uploadJobs().some((j) => j.id === job.id)).toBe(false);
    expect((await storedBytes(h.emulator, result)).equals(data)).toBe(true);
  });
});

describe('on-conflict fail', () => {
  it('fails for an existing image, even an identical one, and changes nothing', async () => {
    const data = randomImage(100);
    const seeded = await h.emulator.state.seedFirmwareImage({ name: 'fail-image', data });
    const before = writes();
    const error = await h
      .publish({ imagePath: await h.image(data), name: 'fail-image', onConflict: 'fail' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain(seeded.id);
    expect((error as Error).message).toContain(sha256Hex(data));
    expect(writes()).toEqual(before);
  });

  it('fails for an existing upload job and leaves it alone', async () => {
    const data = randomImage(CHUNK + 1);
    const job = await h.emulator.state.seedUploadJob({ name: 'fail-job', chunks: [data.subarray(0, CHUNK)] });
    const before = writes();
    const error = await h
      .publish({ imagePath: await h.image(data), name: 'fail-job', onConflict: 'fail' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(
      new RegExp(`upload job named "fail-job" already exists \\(id ${job.id}`),
    );
    expect(writes()).toEqual(before);
    expect(h.emulator.state.chunks(job.id)).toHaveLength(1);
  });
});

describe('on-conflict suffix', () => {
  it('picks <name>-2, then <name>-3, skipping names held by images and jobs alike', async () => {
    const data = randomImage(500);
    await h.emulator.state.seedFirmwareImage({ name: 'sfx', data: randomImage(10) });
    const imagePath = await h.image(data);
    const publishSuffixed = () => h.publish({ imagePath, name: 'sfx', onConflict: 'suffix' });
    const first = publishSuffixed();
    expect(await first).toMatchObject({ outcome: 'uploaded', name: 'sfx-2' });
    expect(first.run.events).toContainEqual({ type: 'name-chosen', name: 'sfx-2', requested: 'sfx' });
    expect(await publishSuffixed()).toMatchObject({ outcome: 'uploaded', name: 'sfx-3' });

    await h.emulator.state.seedUploadJob({ name: 'sfx-4' });
    expect(await publishSuffixed()).toMatchObject({ outcome: 'uploaded', name: 'sfx-5' });
    const names = h.emulator.state.firmwareImages().map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['sfx', 'sfx-2', 'sfx-3', 'sfx-5']));
  });

  it('a free name is used as it is', async () => {
    const result = await h.publish({
      imagePath: await h.image(randomImage(5)),
      name: 'sfx-free',
      onConflict: 'suffix',
    });
    expect(result.name).toBe('sfx-free');
  });
});

describe('a 409 from create (the name is taken, or was taken between our look-up and our create)', () => {
  it('looks the name up and applies the policy', async () => {
    h.emulator.faults.add({
      operation: 'create-job',
      nth: h.emulator.callCount('create-job') + 1,
      fault: { type: 'status', status: 409 },
    });
    const creates = h.emulator.callCount('create-job');
    const call = h.publish({ imagePath: await h.image(randomImage(10)), name: 'race' });
    expect(await call).toMatchObject({ outcome: 'uploaded', name: 'race' });
    h.emulator.faults.clear();
    expect(h.emulator.callCount('create-job') - creates).toBe(2);
    expect(call.run.logger.lines).toContain('info: "race" is taken (409); looking it up');
  });

  it('gives up with a ConflictError when the name keeps being taken', async () => {
    h.emulator.faults.add({ operation: 'create-job', fault: { type: 'status', status: 409 } });
    const error = await h
      .publish({ imagePath: await h.image(randomImage(10)), name: 'race-lost' })
      .catch((e: unknown) => e);
    h.emulator.faults.clear();
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/taken by another upload 3 times/);
  });
});
