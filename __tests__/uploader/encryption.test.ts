// encrypt-payload: the upload job asks for datafile_encryption, the result carries the encrypted payload's
// checksum and size, a service that did not encrypt fails the run, and reuse compares like with like.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { outputsFor } from '../../src/report/outputs.js';
import { ConflictError, EncryptionError } from '../../src/uploader/index.js';
import { API_KEY, CHUNK, randomImage, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let plainService: Emulator;
beforeAll(async () => {
  h = await startHarness();
  plainService = await startEmulator({ apiKey: API_KEY, encryption: false });
});
afterAll(async () => {
  await plainService.stop();
  await h.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('encrypt-payload', () => {
  it('asks for datafile_encryption and reports the encrypted checksum and size as outputs', async () => {
    const data = randomImage(CHUNK + 100);
    const result = await h.publish({ imagePath: await h.image(data), name: 'enc-1', encryptPayload: true });
    const encrypted = await h.emulator.state.encryptedImageBytes(result.firmwareImageId!);
    expect(result).toMatchObject({
      outcome: 'uploaded',
      datafileChecksum: sha256(data),
      encryptedDatafileChecksum: sha256(encrypted),
      encryptedDatafileSize: encrypted.length,
    });
    expect(outputsFor(result)).toMatchObject({
      encrypted_datafile_checksum: sha256(encrypted),
      encrypted_datafile_size: String(encrypted.length),
    });
  });

  it('without it, nothing is encrypted and no encrypted outputs are set', async () => {
    const result = await h.publish({ imagePath: await h.image(randomImage(1000)), name: 'plain-1' });
    expect(result.encryptedDatafileChecksum).toBeUndefined();
    expect(Object.keys(outputsFor(result))).not.toContain('encrypted_datafile_checksum');
  });

  it('fails clearly when the service did not encrypt', async () => {
    const call = h.publish(
      { imagePath: await h.image(randomImage(1000)), name: 'enc-ignored', encryptPayload: true },
      { baseUrl: plainService.url },
    );
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EncryptionError);
    expect((error as Error).message).toMatch(
      /^encryption FAILED: encrypt-payload is true, but the service stored firmware image [0-9a-f]{32} without an encrypted payload/,
    );
  });

  it('re-run with encryption reuses the encrypted image', async () => {
    const path = await h.image(randomImage(2000));
    const first = await h.publish({ imagePath: path, name: 'enc-rerun', encryptPayload: true });
    const second = await h.publish({ imagePath: path, name: 'enc-rerun', encryptPayload: true });
    expect(second).toMatchObject({
      outcome: 'reused',
      firmwareImageId: first.firmwareImageId,
      encryptedDatafileChecksum: first.encryptedDatafileChecksum,
    });
  });

  it.each([
    [
      false,
      true,
      /with identical content but an unencrypted payload, where this run asks for an encrypted one/,
    ],
    [
      true,
      false,
      /with identical content but an encrypted payload, where this run asks for an unencrypted one/,
    ],
  ])(
    'an existing image (encrypted: %s) is no match for a request with encrypt-payload %s',
    async (existing, requested, message) => {
      const path = await h.image(randomImage(3000));
      const name = `like-with-like-${existing}`;
      await h.publish({ imagePath: path, name, encryptPayload: existing });
      const error = await h
        .publish({ imagePath: path, name, encryptPayload: requested })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toMatch(message);
      expect(h.emulator.state.firmwareImages().filter((i) => i.name === name)).toHaveLength(1);
    },
  );

  it('an image marked encrypted without its encrypted checksum and size is no match either', async () => {
    const path = await h.image(randomImage(4000));
    const name = 'enc-incomplete';
    await h.publish({ imagePath: path, name, encryptPayload: true });
    // The service lists the image as encrypted but leaves out what a manifest of an encrypted payload needs.
    h.emulator.faults.add({
      operation: 'list-images',
      fault: { type: 'mangle', drop: ['encrypted_datafile_checksum', 'encrypted_datafile_size'] },
    });
    try {
      const error = await h.publish({ imagePath: path, name, encryptPayload: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toMatch(
        /with identical content but an encrypted \(but without its encrypted checksum and size\) payload/,
      );
    } finally {
      h.emulator.faults.clear();
    }
  });
});
