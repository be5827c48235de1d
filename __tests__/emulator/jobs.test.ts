import { describe, expect, it } from '@jest/globals';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, paths } from '../../src/api/types.js';
import { API_KEY, expectError, expectSchema, ID, RFC3339_MICROS, send, serviceForSuite } from './helpers.js';

describe('emulator: upload jobs', () => {
  const { emulator, service } = serviceForSuite();

  it('creates a job: 201, Location and Content-Location, not_started, both completion flags false', async () => {
    const res = await service.createJob({ name: 'create-1', description: 'first' });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expectSchema('uploadJob', res.json);
    const job = res.json;
    expect(job).toEqual({
      object: 'upload-job',
      id: expect.stringMatching(ID),
      name: 'create-1',
      description: 'first',
      status: 'not_started',
      completed: false,
      complete: false,
      firmware_image_id: '',
      created_at: expect.stringMatching(RFC3339_MICROS),
      updated_at: job.created_at,
      etag: job.created_at,
    });
    expect(res.headers.location).toBe(`${emulator.url}${paths.uploadJob(job.id)}`);
    expect(res.headers['content-location']).toBe(res.headers.location);
    expect(emulator.state.uploadJobs().map((j) => j.id)).toContain(job.id);
  });

  it('defaults the description to an empty string', async () => {
    const res = await service.createJob({ name: 'no-description' });
    expect(res.status).toBe(201);
    expect(res.json.description).toBe('');
  });

  it('gets a job by id', async () => {
    const created = (await service.createJob({ name: 'get-1' })).json;
    const res = await service.getJob(created.id);
    expect(res.status).toBe(200);
    expectSchema('uploadJob', res.json);
    expect(res.json).toEqual(created);
  });

  it('updates name and description, with a new updated_at and etag', async () => {
    const created = (await service.createJob({ name: 'update-1' })).json;
    const res = await service.updateJob(created.id, { name: 'update-1b', description: 'changed' });
    expect(res.status).toBe(200);
    expectSchema('uploadJob', res.json);
    expect(res.json).toMatchObject({ id: created.id, name: 'update-1b', description: 'changed' });
    expect(res.json.updated_at > created.updated_at).toBe(true);
    expect(res.json.etag).toBe(res.json.updated_at);
    expect(res.json.created_at).toBe(created.created_at);
    expect((await service.getJob(created.id)).json.name).toBe('update-1b');
  });

  it('deletes a job: 204 without a body, then 404', async () => {
    const created = (await service.createJob({ name: 'delete-1' })).json;
    const res = await service.deleteJob(created.id);
    expect(res.status).toBe(204);
    expect(res.body.length).toBe(0);
    expectError(await service.getJob(created.id), 404, 'not_found');
    expectError(await service.deleteJob(created.id), 404, 'not_found');
  });

  it('refuses a name longer than 128 and a description longer than 2000 with 400 and fields', async () => {
    const longName = await service.createJob({ name: 'n'.repeat(MAX_NAME_LENGTH + 1) });
    expectError(longName, 400, 'validation_error');
    expect(longName.json.fields).toEqual([{ name: 'name', message: expect.stringContaining('128') }]);

    const longDescription = await service.createJob({
      name: 'ok',
      description: 'd'.repeat(MAX_DESCRIPTION_LENGTH + 1),
    });
    expectError(longDescription, 400, 'validation_error');
    expect(longDescription.json.fields).toEqual([
      { name: 'description', message: expect.stringContaining('2000') },
    ]);

    const created = (await service.createJob({ name: 'n'.repeat(MAX_NAME_LENGTH) })).json;
    const longUpdate = await service.updateJob(created.id, { name: 'x'.repeat(MAX_NAME_LENGTH + 1) });
    expectError(longUpdate, 400, 'validation_error');
    expect(longUpdate.json.fields[0].name).toBe('name');
    expect(emulator.state.uploadJobs().some((j) => j.name === 'ok')).toBe(false);
  });

  it('refuses a body that is not a JSON object, or fields that are not strings', async () => {
    expectError(
      await service.call('POST', paths.uploadJobs, {
        body: '{not json',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'validation_error',
    );
    expectError(await service.createJob([1, 2]), 400, 'validation_error');
    const wrongType = await service.createJob({ name: 42 });
    expectError(wrongType, 400, 'validation_error');
    expect(wrongType.json.fields[0].name).toBe('name');
  });

  it('answers 409 on create when an upload job or a firmware image already has the name', async () => {
    await service.createJob({ name: 'taken-by-job' });
    const jobConflict = await service.createJob({ name: 'taken-by-job' });
    expectError(jobConflict, 409, 'conflict');
    expect(jobConflict.json.message).toContain('taken-by-job');

    await emulator.state.seedFirmwareImage({ name: 'taken-by-image', data: Buffer.from('image') });
    expectError(await service.createJob({ name: 'taken-by-image' }), 409, 'conflict');
    expect(emulator.state.uploadJobs().filter((j) => j.name === 'taken-by-job')).toHaveLength(1);
  });

  it('answers 409 on update when another job or an image has the name, and keeps the job unchanged', async () => {
    await service.createJob({ name: 'other-job' });
    await emulator.state.seedFirmwareImage({ name: 'other-image', data: Buffer.from('image') });
    const job = (await service.createJob({ name: 'renamed-later' })).json;
    expectError(await service.updateJob(job.id, { name: 'other-job' }), 409, 'conflict');
    expectError(await service.updateJob(job.id, { name: 'other-image' }), 409, 'conflict');
    expect((await service.getJob(job.id)).json).toEqual(job);
    // Keeping its own name is no conflict.
    expect((await service.updateJob(job.id, { name: 'renamed-later', description: 'd' })).status).toBe(200);
  });

  it('answers 404 for unknown or malformed job ids on every job operation', async () => {
    const unknown = '0123456789abcdef0123456789abcdef';
    for (const res of [
      await service.getJob(unknown),
      await service.updateJob(unknown, { name: 'x' }),
      await service.deleteJob(unknown),
      await service.listChunks(unknown),
      await service.getChunk(unknown, 1),
      await service.appendChunk(unknown, Buffer.from('data')),
      await service.getJob('not-an-id'),
      await service.getImage(unknown),
    ]) {
      expectError(res, 404, 'not_found');
    }
  });

  it('answers 401 without the right bearer key, and never echoes what was sent', async () => {
    const path = paths.uploadJobs;
    const noAuth = await send(emulator.url, 'GET', path);
    expectError(noAuth, 401, 'unauthorized');
    const wrongKey = await send(emulator.url, 'GET', path, {
      headers: { Authorization: 'Bearer ak_wrong_secret' },
    });
    expectError(wrongKey, 401, 'unauthorized');
    expect(wrongKey.body.toString()).not.toContain('ak_wrong_secret');
    const notBearer = await send(emulator.url, 'GET', path, { headers: { Authorization: API_KEY } });
    expectError(notBearer, 401, 'unauthorized');
    const created = await send(emulator.url, 'POST', path, { body: '{"name":"unauthorized"}' });
    expectError(created, 401, 'unauthorized');
    expect(emulator.state.uploadJobs().some((j) => j.name === 'unauthorized')).toBe(false);
  });

  it('answers 404 for unknown paths and 405 for a method a path does not have', async () => {
    expectError(await service.call('GET', '/v3/elsewhere'), 404, 'not_found');
    expectError(await service.call('PATCH', paths.uploadJobs), 405, 'method_not_allowed');
  });
});
