// publish() end to end against the emulator: image sizes around the chunk boundaries, verification,
// and the failures that must stop at once.
import { describe, expect, it } from '@jest/globals';
import { ServiceError } from '../../src/client/errors.js';
import { UploadStateError, VerificationError } from '../../src/uploader/errors.js';
import { startRewritingProxy } from '../support/rewriting-proxy.js';
import { API_KEY, CHUNK, everythingSaid, randomImage, sha256Hex, storedBytes } from '../support/harness.js';
import { harnessForSuite } from '../support/suite.js';

const h = harnessForSuite();

describe('publish: sizes', () => {
  const sizes: [string, number, number][] = [
    ['1 byte', 1, 1],
    ['5 MiB - 1', CHUNK - 1, 1],
    ['exactly 5 MiB', CHUNK, 1],
    ['2 chunks + 1 byte', 2 * CHUNK + 1, 3],
    ['an exact multiple (2 chunks)', 2 * CHUNK, 2],
  ];
  it.each(sizes)('%s: stored bytes equal the file, verified', async (label, size, chunkCount) => {
    const data = randomImage(size);
    const name = `size-${label.replace(/\W+/g, '-')}`;
    const appendsBefore = h.emulator.callCount('append-chunk');
    const call = h.publish({ imagePath: await h.image(data), name });
    const result = await call;

    expect(result).toMatchObject({
      outcome: 'uploaded',
      name,
      datafileSize: size,
      datafileChecksum: sha256Hex(data),
      chunkCount,
      chunksSent: chunkCount,
      chunksResumed: 0,
      retryCount: 0,
      plan: { chunkSize: CHUNK, count: chunkCount, meetsMinimumRule: true },
    });
    expect(result.firmwareImageId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.datafileUrl).toContain(h.emulator.url);
    expect(result.uploadJobId).toMatch(/^[0-9a-f]{32}$/);
    expect((await storedBytes(h.emulator, result)).equals(data)).toBe(true);
    expect(h.emulator.callCount('append-chunk') - appendsBefore).toBe(chunkCount);
    expect(result.timeline.map((t) => [t.index, t.length, t.attempts, t.skipped])).toEqual(
      Array.from({ length: chunkCount }, (_, i) => [i + 1, Math.min(CHUNK, size - i * CHUNK), 1, false]),
    );
    const sent = call.run.events.filter((e) => e.type === 'chunk-sent');
    expect(sent.at(-1)).toMatchObject({
      index: chunkCount,
      total: chunkCount,
      bytesDone: size,
      bytesTotal: size,
    });
    expect(call.run.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['job-created', 'completed', 'verified']),
    );
  });
});

describe('publish: failures', () => {
  it('a wrong key fails with the 401 at once and never shows the key', async () => {
    const wrongKey = 'ak_wrong_key_SECRET_value';
    const creates = h.emulator.callCount('create-job');
    const call = h.publish({ imagePath: await h.image(randomImage(10)), name: 'auth' }, { apiKey: wrongKey });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(401);
    expect(call.run.events.filter((e) => e.type === 'retry')).toEqual([]);
    // The create is the first request; refused, it made nothing.
    expect(h.emulator.callCount('create-job')).toBe(creates + 1);
    expect(h.emulator.state.uploadJobs().some((j) => j.name === 'auth')).toBe(false);
    const said = everythingSaid(call.run, error);
    expect(said).not.toContain(wrongKey);
    expect(said).not.toContain(API_KEY);
  });

  it('a 400 on a chunk stops at once: no retry, the job is kept for a re-run', async () => {
    const before = h.emulator.callCount('append-chunk');
    h.emulator.faults.add({
      operation: 'append-chunk',
      nth: before + 1,
      fault: { type: 'status', status: 400 },
    });
    const call = h.publish({ imagePath: await h.image(randomImage(CHUNK + 10)), name: 'bad-request' });
    const error = await call.catch((e: unknown) => e);
    h.emulator.faults.clear();
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(400);
    expect(h.emulator.callCount('append-chunk')).toBe(before + 1);
    expect(call.run.events.filter((e) => e.type === 'retry')).toEqual([]);
    expect(h.emulator.state.uploadJobs().filter((j) => j.name === 'bad-request')).toHaveLength(1);
    expect(call.run.logger.lines.join('\n')).toMatch(/kept with 0 of 2 chunks; a re-run .* resumes it/);
  });

  it('an image on the service that differs from the file fails verification loudly', async () => {
    // A real service stand-in that reports another checksum for every firmware image: the emulator behind a
    // rewriting proxy on 127.0.0.1.
    const wrong = 'f'.repeat(64);
    const proxy = await startRewritingProxy(h.emulator.url, 'GET', (path, body) =>
      eachImage(path, body, (image) => ({ ...image, datafile_checksum: wrong })),
    );
    try {
      const data = randomImage(1000);
      const call = h.publish({ imagePath: await h.image(data), name: 'verify' }, { baseUrl: proxy.url });
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerificationError);
      const message = (error as Error).message;
      expect(message).toContain(wrong);
      expect(message).toContain(sha256Hex(data));
      expect(message).toMatch(/verification FAILED/);
      expect(call.run.events.some((e) => e.type === 'verified')).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('an image read back with another id than the completed job names is a clear error, no id reported', async () => {
    // The list by name does not show the image (a service that records it late): the job's
    // firmware_image_id is read back, and the image under that id must be it.
    const other = 'e'.repeat(32);
    const proxy = await startRewritingProxy(h.emulator.url, 'GET', (path, body) =>
      path === '/v3/firmware-images'
        ? { ...body, data: [] }
        : /^\/v3\/firmware-images\/[0-9a-f]{32}$/.test(path)
          ? { ...body, id: other }
          : body,
    );
    try {
      const call = h.publish(
        { imagePath: await h.image(randomImage(1000)), name: 'image-id' },
        { baseUrl: proxy.url },
      );
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UploadStateError);
      const job = h.emulator.state.uploadJobs().find((j) => j.name === 'image-id')!;
      expect((error as Error).message).toBe(
        `get firmware image ${job.firmware_image_id}: the service answered with image ${other}, not the one ` +
          'the completed upload job names; do not use either before checking them in the portal',
      );
      expect(call.run.events.some((e) => e.type === 'verified')).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

/** `change` applied to a firmware image's answer, or to each image of a list of them; other answers kept. */
function eachImage(
  path: string,
  body: Record<string, unknown>,
  change: (image: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  if (/^\/v3\/firmware-images\/[0-9a-f]{32}$/.test(path)) return change(body);
  if (path === '/v3/firmware-images') {
    return { ...body, data: (body.data as Record<string, unknown>[]).map(change) };
  }
  return body;
}
