// The release side of the emulator over real HTTP: the single multipart image POST (with encryption),
// manifests, campaigns on the emulator's injected clock, devices and their filters, faults, and every
// response checked against the contract's schemas.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createDecipheriv } from 'node:crypto';
import { releasePaths } from '../../src/api/release.js';
import { paths } from '../../src/api/types.js';
import { startEmulator } from '../../src/emulator/index.js';
import {
  API_KEY,
  ID,
  api,
  expectError,
  expectSchema,
  randomData,
  send,
  serviceForSuite,
  sha256Hex,
} from './helpers.js';

/** A multipart body as a browser or curl -F sends it, made by the platform's FormData. */
async function multipart(fields: Record<string, string | { name: string; data: Buffer }>) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.set(key, value);
    else form.set(key, new Blob([value.data]), value.name);
  }
  const request = new Request('http://x/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    headers: { 'Content-Type': request.headers.get('content-type')! },
  };
}

const CLASS = 'class-a';
const VENDOR = 'vendor-a';
const FILTER = `device_class__eq=${CLASS}&vendor_id__eq=${VENDOR}`;

describe('emulator: the release side', () => {
  let now = 0;
  const { emulator, service } = serviceForSuite({
    now: () => now,
    devices: [
      { count: 3, deviceClass: CLASS, vendorId: VENDOR },
      { count: 2, deviceClass: 'class-b', vendorId: VENDOR },
    ],
    campaignTiming: { startingMs: 1000, stoppingMs: 500 },
  });

  async function postImage(fields: Record<string, string | { name: string; data: Buffer }>) {
    return service.call('POST', paths.firmwareImages, await multipart(fields));
  }
  async function postManifest(data: Buffer, name = 'manifest', fileName = 'update.manifest') {
    return service.call(
      'POST',
      releasePaths.firmwareManifests,
      await multipart({ datafile: { name: fileName, data }, name }),
    );
  }
  const json = (body: object) => ({
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  });
  async function createCampaign(body: object) {
    return service.call('POST', releasePaths.campaigns, json(body));
  }

  describe('the single multipart POST /v3/firmware-images', () => {
    it('stores the image as manifest-tool sends it', async () => {
      const data = randomData(70_000);
      const res = await postImage({
        datafile: { name: 'fw.bin', data },
        name: 'small-image',
        description: 'd',
      });
      expect(res.status).toBe(201);
      expectSchema('firmwareImage', res.json);
      expect(res.json).toMatchObject({
        name: 'small-image',
        datafile_checksum: sha256Hex(data),
        datafile_size: data.length,
      });
      expect(res.json.datafile_encryption).toBeUndefined();
      expect(res.json.encrypted_datafile_checksum).toBeUndefined();
      expect((await emulator.state.imageBytes(res.json.id)).equals(data)).toBe(true);
    });

    it('encrypts with datafile_encryption, reporting the encrypted copy (AES-256-CTR, IV in front)', async () => {
      const data = randomData(4096);
      const res = await postImage({
        datafile: { name: 'fw.bin', data },
        name: 'enc-image',
        datafile_encryption: 'true',
      });
      expect(res.status).toBe(201);
      expectSchema('firmwareImage', res.json);
      const encrypted = await emulator.state.encryptedImageBytes(res.json.id);
      expect(res.json).toMatchObject({
        datafile_encryption: true,
        encrypted_datafile_checksum: sha256Hex(encrypted),
        encrypted_datafile_size: encrypted.length,
        datafile_checksum: sha256Hex(data),
      });
      expect(encrypted.length).toBe(data.length + 16);
      // Not the plain bytes under another name: with a wrong key the bytes do not come back.
      const wrong = createDecipheriv('aes-256-ctr', Buffer.alloc(32), encrypted.subarray(0, 16));
      expect(Buffer.concat([wrong.update(encrypted.subarray(16)), wrong.final()]).equals(data)).toBe(false);
      expect(encrypted.subarray(16).includes(data.subarray(0, 64))).toBe(false);
    });

    it('encrypts upload jobs created with datafile_encryption', async () => {
      const job = (await service.createJob({ name: 'enc-job', datafile_encryption: true })).json;
      await service.appendChunk(job.id, randomData(1000));
      await service.appendChunk(job.id, Buffer.alloc(0));
      const image = (await service.getImage((await service.getJob(job.id)).json.firmware_image_id)).json;
      expect(image.datafile_encryption).toBe(true);
      expect(image.encrypted_datafile_size).toBe(1016);
    });

    it('refuses a taken name (409), a missing datafile (400), a body that is not multipart (400)', async () => {
      expectError(
        await postImage({ datafile: { name: 'a', data: Buffer.from('x') }, name: 'small-image' }),
        409,
        'conflict',
      );
      expectError(await postImage({ name: 'no-file' }), 400, 'validation_error');
      expectError(
        await service.call('POST', paths.firmwareImages, json({ name: 'x' })),
        400,
        'validation_error',
      );
      expectError(
        await postImage({ datafile: { name: 'a', data: Buffer.from('x') }, datafile_encryption: 'maybe' }),
        400,
        'validation_error',
      );
    });

    it('refuses a declared body over 100 MiB with 413 before reading it', async () => {
      const res = await service
        .call('POST', paths.firmwareImages, {
          headers: {
            'Content-Type': 'multipart/form-data; boundary=x',
            'Content-Length': String(101 * 1024 * 1024),
          },
          body: Buffer.alloc(0),
        })
        .catch((error: Error) => error);
      // The emulator answers 413 and closes: either the status or a reset mid-body reaches the client.
      if (!(res instanceof Error)) expect(res.status).toBe(413);
    });
  });

  describe('manifests', () => {
    let image: {
      id: string;
      datafile: string;
      short_datafile: string;
      datafile_checksum: string;
      datafile_size: number;
    };
    beforeAll(async () => {
      const data = randomData(5000);
      image = (await postImage({ datafile: { name: 'fw.bin', data }, name: 'manifest-target' })).json;
    });

    it('recognises the delivered image by its datafile URL', async () => {
      const res = await postManifest(
        Buffer.concat([Buffer.from('hdr'), Buffer.from(image.datafile), Buffer.alloc(8)]),
        'by-url',
      );
      expect(res.status).toBe(201);
      expectSchema('firmwareManifest', res.json);
      expect(res.json).toMatchObject({
        name: 'by-url',
        delivered_payload_url: image.datafile,
        delivered_payload_digest: image.datafile_checksum,
        delivered_payload_size: image.datafile_size,
      });
    });

    it('recognises it by the short URL, or by the raw SHA-256 bytes alone', async () => {
      const byShort = (await postManifest(Buffer.from(`x${image.short_datafile}y`), 'by-short')).json;
      expect(byShort.delivered_payload_url).toBe(image.short_datafile);
      const byDigest = (
        await postManifest(
          Buffer.concat([Buffer.from('m'), Buffer.from(image.datafile_checksum, 'hex')]),
          'by-digest',
        )
      ).json;
      expect(byDigest.delivered_payload_digest).toBe(image.datafile_checksum);
    });

    it('leaves the delivered payload unset when no image is in it', async () => {
      const res = await postManifest(Buffer.from('nothing known'), 'unknown');
      expect(res.status).toBe(201);
      expect(res.json.delivered_payload_url).toBeUndefined();
    });

    it('refuses a manifest over 2 KB and a file name over 100 characters (400)', async () => {
      expectError(await postManifest(Buffer.alloc(2049, 1)), 400, 'validation_error');
      expect((await postManifest(Buffer.alloc(2048, 1), 'exactly-2k')).status).toBe(201);
      expectError(await postManifest(Buffer.from('m'), 'long', 'f'.repeat(101)), 400, 'validation_error');
    });

    it('serves the stored file at its datafile URL without the key (like the image download); 404 once deleted', async () => {
      const data = Buffer.concat([Buffer.from('manifest '), randomData(100)]);
      const created = (await postManifest(data, 'downloaded')).json;
      const download = await send(emulator.url, 'GET', created.datafile);
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toBe('application/octet-stream');
      expect(download.body.equals(data)).toBe(true);
      expect((await service.call('DELETE', releasePaths.firmwareManifest(created.id))).status).toBe(204);
      expectError(await send(emulator.url, 'GET', created.datafile), 404, 'not_found');
    });

    it('gets, lists with filters (direct and filter=), and deletes', async () => {
      const created = (await postManifest(Buffer.from('listed'), 'listed-one')).json;
      const got = await service.call('GET', releasePaths.firmwareManifest(created.id));
      expectSchema('firmwareManifest', got.json);
      const direct = await service.call('GET', `${releasePaths.firmwareManifests}?name__eq=listed-one`);
      expectSchema('firmwareManifestPage', direct.json);
      expect(direct.json.data.map((m: { id: string }) => m.id)).toEqual([created.id]);
      const encoded = await service.call(
        'GET',
        `${releasePaths.firmwareManifests}/?filter=${encodeURIComponent('name__in=listed-one,by-url')}`,
      );
      expect(encoded.json.data).toHaveLength(2);
      expect((await service.call('DELETE', releasePaths.firmwareManifest(created.id))).status).toBe(204);
      expectError(await service.call('GET', releasePaths.firmwareManifest(created.id)), 404, 'not_found');
    });
  });

  describe('devices', () => {
    it('serves the seeded table with direct and URL-encoded filters', async () => {
      const all = await service.call('GET', `${releasePaths.devices}?include=total_count`);
      expect(all.json.total_count).toBe(5);
      const direct = await service.call(
        'GET',
        `${releasePaths.devices}?device_class__eq=${CLASS}&vendor_id__eq=${VENDOR}`,
      );
      expect(direct.json.data).toHaveLength(3);
      const encoded = await service.call(
        'GET',
        `${releasePaths.devices}?filter=${encodeURIComponent('device_class__neq=class-a')}`,
      );
      expect(encoded.json.data.map((d: { device_class: string }) => d.device_class)).toEqual([
        'class-b',
        'class-b',
      ]);
      expectError(
        await service.call('GET', `${releasePaths.devices}?colour__eq=red`),
        400,
        'validation_error',
      );
    });
  });

  describe('campaigns', () => {
    let image: { id: string; datafile: string; datafile_checksum: string };
    let manifestId: string;
    beforeAll(async () => {
      const data = randomData(3000);
      image = (await postImage({ datafile: { name: 'fw.bin', data }, name: 'campaign-image' })).json;
      manifestId = (await postManifest(Buffer.from(image.datafile), 'campaign-manifest')).json.id;
    });
    const get = async (id: string) => {
      const res = await service.call('GET', releasePaths.campaign(id));
      expectSchema('updateCampaign', res.json);
      return res.json;
    };

    it('requires device_filter and an existing manifest', async () => {
      const missing = await createCampaign({ root_manifest_id: manifestId });
      expectError(missing, 400, 'validation_error');
      expect(missing.json.fields).toEqual([{ name: 'device_filter', message: 'is required' }]);
      expectError(
        await createCampaign({ device_filter: FILTER, root_manifest_id: 'f'.repeat(32) }),
        404,
        'not_found',
      );
      expectError(
        await createCampaign({ device_filter: 'colour__eq=red', root_manifest_id: manifestId }),
        400,
        'validation_error',
      );
    });

    it('goes draft → starting → active → stopping → autostopped once every device deployed', async () => {
      const created = await createCampaign({
        name: 'rollout',
        device_filter: FILTER,
        root_manifest_id: manifestId,
      });
      expect(created.status).toBe(201);
      expectSchema('updateCampaign', created.json);
      const id = created.json.id;
      expect(created.json).toMatchObject({ phase: 'draft', autostop: true, autostop_success_percent: 100 });
      expectError(await service.call('GET', releasePaths.campaignMetrics(id)), 404, 'not_found');
      expectError(await service.call('POST', releasePaths.stopCampaign(id)), 409, 'conflict');

      const started = await service.call('POST', releasePaths.startCampaign(id));
      expect(started.status).toBe(202);
      expect((await get(id)).phase).toBe('starting');
      expectError(await service.call('POST', releasePaths.startCampaign(id)), 409, 'conflict');
      now += 1000;
      expect((await get(id)).phase).toBe('active');
      expectError(await service.call('DELETE', releasePaths.campaign(id)), 409, 'conflict');
      const metrics = await service.call('GET', releasePaths.campaignMetrics(id));
      expectSchema('campaignMetrics', metrics.json);
      expect(metrics.json).toMatchObject({ total_count: 3, pending_count: 3, success_count: 0 });

      now += 1000; // the default script: deployed a second after the campaign became active
      expect((await get(id)).phase).toBe('stopping');
      now += 500;
      const done = await get(id);
      expect(done).toMatchObject({
        phase: 'autostopped',
        state: 'autostopped',
        autostop_reason: 'Success threshold reached.',
      });
      expect((await service.call('GET', releasePaths.campaignMetrics(id))).json).toMatchObject({
        success_count: 3,
        pending_count: 0,
      });
      const devices = emulator.state.devices().filter((d) => d.device_class === CLASS);
      expect(devices.map((d) => d.firmware_checksum)).toEqual(Array(3).fill(image.datafile_checksum));
      expect(
        emulator.state
          .devices()
          .filter((d) => d.device_class !== CLASS)
          .map((d) => d.firmware_checksum),
      ).not.toContain(image.datafile_checksum);
      expect((await service.call('DELETE', releasePaths.campaign(id))).status).toBe(204);
    });

    it('reports failed devices with reasons in device metadata (paged) and statistics event types', async () => {
      const seeded = emulator.state.seedDevices([
        {
          count: 4,
          deviceClass: 'class-f',
          vendorId: VENDOR,
          script: { outcome: 'fail', afterMs: 0, reason: 'battery too low' },
        },
      ]);
      emulator.state.scriptDevice(seeded[0]!.id, { outcome: 'deploy', afterMs: 0 });
      emulator.state.scriptDevice(seeded[1]!.id, { outcome: 'silent' });
      const id = (
        await createCampaign({ device_filter: 'device_class__eq=class-f', root_manifest_id: manifestId })
      ).json.id;
      await service.call('POST', releasePaths.startCampaign(id));
      now += 1000;
      const campaign = await get(id);
      expect(campaign.phase).toBe('active'); // a failed and a silent device: 100% is never reached
      const firstPage = await service.call('GET', `${releasePaths.campaignDeviceMetadata(id)}?limit=2`);
      expectSchema('campaignDeviceMetadataPage', firstPage.json);
      expect(firstPage.json).toMatchObject({ has_more: true });
      const last = firstPage.json.data.at(-1).id;
      const secondPage = await service.call(
        'GET',
        `${releasePaths.campaignDeviceMetadata(id)}?limit=2&after=${last}`,
      );
      const all = [...firstPage.json.data, ...secondPage.json.data];
      expect(all.map((m: { deployment_state: string }) => m.deployment_state).sort()).toEqual([
        'deployed',
        'failed_connector_channel_update',
        'failed_connector_channel_update',
        'pending',
      ]);
      const failed = all.filter((m: { deployment_state: string }) => m.deployment_state.startsWith('failed'));
      expect(failed.map((m: { description: string }) => m.description)).toEqual([
        'battery too low',
        'battery too low',
      ]);

      const stats = await service.call('GET', releasePaths.campaignStatistics(id));
      expectSchema('eventTypeSummaryList', stats.json);
      expect(
        Object.fromEntries(stats.json.data.map((s: { id: string; count: number }) => [s.id, s.count])),
      ).toEqual({
        fail: 2,
        success: 1,
        info: 1,
        skipped: 0,
      });
      const events = await service.call('GET', releasePaths.campaignEventTypes(id, 'fail'));
      expectSchema('eventTypeList', events.json);
      expect(events.json.data).toMatchObject([
        { description: 'battery too low', count: 2, summary_status_id: 'fail' },
      ]);

      expect((await service.call('POST', releasePaths.stopCampaign(id))).status).toBe(202);
      now += 500;
      expect((await get(id)).phase).toBe('stopped');
      expectError(await service.call('POST', releasePaths.startCampaign(id)), 409, 'conflict');
    });

    it('stops by itself when the manifest is removed, pending devices marked manifestremoved', async () => {
      const manifest = (await postManifest(Buffer.from(image.datafile), 'doomed')).json.id;
      const [device] = emulator.state.seedDevices([
        { count: 1, deviceClass: 'class-m', vendorId: VENDOR, script: { outcome: 'silent' } },
      ]);
      const id = (await createCampaign({ device_filter: `id__eq=${device!.id}`, root_manifest_id: manifest }))
        .json.id;
      await service.call('POST', releasePaths.startCampaign(id));
      now += 1000;
      expect((await get(id)).phase).toBe('active');
      await service.call('DELETE', releasePaths.firmwareManifest(manifest));
      expect((await get(id)).phase).toBe('stopping');
      now += 500;
      expect(await get(id)).toMatchObject({
        phase: 'autostopped',
        autostop_reason: 'The campaign manifest was removed.',
      });
      expect(emulator.state.campaignDevices(id).map((d) => d.deployment_state)).toEqual(['manifestremoved']);
    });

    it('lists campaigns with filters, and applies faults to the new operations', async () => {
      const list = await service.call('GET', `${releasePaths.campaigns}?name__eq=rollout`);
      expectSchema('updateCampaignPage', list.json);
      emulator.faults.add({ operation: 'get-campaign', fault: { type: 'status', status: 503 } });
      const id = emulator.state.campaigns()[0]!.id;
      expect(id).toMatch(ID);
      expectError(await service.call('GET', releasePaths.campaign(id)), 503, 'service_unavailable');
      emulator.faults.clear();
      expect((await service.call('GET', releasePaths.campaign(id))).status).toBe(200);
      expect(emulator.callCount('create-campaign')).toBeGreaterThan(0);
    });
  });
});

describe('emulator: campaign edge cases', () => {
  it('spells the stopped-by-itself phase auto_stopped when told to, and stops over the quota', async () => {
    let now = 0;
    const emulator = await startEmulator({
      apiKey: API_KEY,
      now: () => now,
      devices: [{ count: 3, deviceClass: CLASS, vendorId: VENDOR }],
      campaignTiming: { startingMs: 10, stoppingMs: 0, autostoppedSpelling: 'auto_stopped' },
      campaignDeviceQuota: 2,
    });
    try {
      const service = api(emulator);
      const image = (await emulator.state.seedFirmwareImage({ name: 'q', data: randomData(100) })).datafile;
      const form = new FormData();
      form.set('datafile', new Blob([Buffer.from(image)]), 'm.manifest');
      const request = new Request('http://x/', { method: 'POST', body: form });
      const manifest = await service.call('POST', releasePaths.firmwareManifests, {
        body: Buffer.from(await request.arrayBuffer()),
        headers: { 'Content-Type': request.headers.get('content-type')! },
      });
      const created = await service.call('POST', releasePaths.campaigns, {
        body: JSON.stringify({ device_filter: FILTER, root_manifest_id: manifest.json.id }),
        headers: { 'Content-Type': 'application/json' },
      });
      await service.call('POST', releasePaths.startCampaign(created.json.id));
      now += 10;
      const campaign = (await service.call('GET', releasePaths.campaign(created.json.id))).json;
      expectSchema('updateCampaign', campaign);
      expect(campaign).toMatchObject({
        phase: 'auto_stopped',
        state: 'quotaallocationfailed',
        autostop_reason: 'Insufficient billing credit.',
      });
    } finally {
      await emulator.stop();
    }
  });
});
