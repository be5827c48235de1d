import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, expectSchema, md5Base64, serviceForSuite } from './helpers.js';

const JOB_COUNT = 55;

describe('emulator: lists (paging and filters)', () => {
  const { emulator, service } = serviceForSuite();
  let jobIds: string[];
  let inProgressId: string;

  const names = (page: { data: { name: string }[] }) => page.data.map((item) => item.name);
  const jobs = async (query: string) => {
    const res = await service.listJobs(query);
    expect(res.status).toBe(200);
    expectSchema('uploadJobPage', res.json);
    return res.json;
  };

  beforeAll(async () => {
    jobIds = [];
    for (let i = 0; i < JOB_COUNT; i++) {
      jobIds.push(
        (
          await service.createJob({
            name: `job-${String(i).padStart(2, '0')}`,
            description: i % 2 ? 'odd' : 'even',
          })
        ).json.id,
      );
    }
    inProgressId = jobIds[3]!;
    expect((await service.appendChunk(inProgressId, Buffer.from('some data'))).status).toBe(201);
  });

  it('answers the list envelope with 50 items by default, oldest first', async () => {
    const page = await jobs('');
    expect(page).toMatchObject({ object: 'list', has_more: true, limit: 50, order: 'ASC', after: null });
    expect(page.data).toHaveLength(50);
    expect(page.data.map((j: { id: string }) => j.id)).toEqual(jobIds.slice(0, 50));
    expect(page.total_count).toBeUndefined();
  });

  it('clamps limit to 2..1000 and refuses a limit that is not a number', async () => {
    expect((await jobs('?limit=1')).limit).toBe(2);
    expect((await jobs('?limit=1')).data).toHaveLength(2);
    expect((await jobs('?limit=-7')).limit).toBe(2);
    const big = await jobs('?limit=5000');
    expect(big.limit).toBe(1000);
    expect(big.data).toHaveLength(JOB_COUNT);
    expect(big.has_more).toBe(false);
    const bad = await service.listJobs('?limit=ten');
    expectError(bad, 400, 'validation_error');
    expect(bad.json.fields[0].name).toBe('limit');
    expectError(await service.listJobs('?order=SIDEWAYS'), 400, 'validation_error');
  });

  it('pages with after until has_more is false, in both orders', async () => {
    for (const order of ['ASC', 'DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await jobs(`?limit=20&order=${order}${after ? `&after=${after}` : ''}`);
        expect(page.order).toBe(order);
        expect(page.after).toBe(after);
        seen.push(...page.data.map((j: { id: string }) => j.id));
        if (!page.has_more) break;
        after = seen[seen.length - 1]!;
      }
      expect(seen).toEqual(order === 'ASC' ? jobIds : [...jobIds].reverse());
    }
  });

  it('adds total_count when include=total_count, counting filtered items', async () => {
    expect((await jobs('?include=total_count&limit=2')).total_count).toBe(JOB_COUNT);
    expect((await jobs('?include=total_count&description__eq=odd')).total_count).toBe(27);
  });

  it('filters with direct params: __eq, __neq, __in, __nin, bare equality, status', async () => {
    expect(names(await jobs('?name__eq=job-07'))).toEqual(['job-07']);
    expect(names(await jobs('?name=job-08'))).toEqual(['job-08']);
    expect((await jobs('?name__neq=job-07&limit=1000')).data).toHaveLength(JOB_COUNT - 1);
    expect(names(await jobs('?name__in=job-01,job-02,nothing'))).toEqual(['job-01', 'job-02']);
    expect((await jobs('?name__nin=job-01,job-02&limit=1000')).data).toHaveLength(JOB_COUNT - 2);
    expect(names(await jobs('?status__eq=in_progress'))).toEqual(['job-03']);
    expect((await jobs('?status__in=not_started&limit=1000')).data).toHaveLength(JOB_COUNT - 1);
    expect(names(await jobs('?name__in=job-03,job-04&status__eq=not_started'))).toEqual(['job-04']);
  });

  it('filters with one URL-encoded filter= query string, alone or with direct params', async () => {
    const filter = (text: string) => `?filter=${encodeURIComponent(text)}`;
    expect(names(await jobs(filter('name__eq=job-09')))).toEqual(['job-09']);
    expect(names(await jobs(filter('name__in=job-10,job-11&description__eq=odd')))).toEqual(['job-11']);
    expect(names(await jobs(filter('status__eq=in_progress')))).toEqual(['job-03']);
    expect(names(await jobs(`${filter('description__eq=even')}&name__in=job-20,job-21`))).toEqual(['job-20']);
    const created = (await jobs('?name__eq=job-00')).data[0].created_at;
    expect(names(await jobs(filter(`created_at__lte=${created}&name__in=job-00,job-01`)))).toEqual([
      'job-00',
    ]);
    expect(names(await jobs(`?created_at__gte=${created}&name__in=job-00,job-01`))).toEqual([
      'job-00',
      'job-01',
    ]);
  });

  it('refuses a filter on a field the list does not have', async () => {
    const res = await service.listJobs('?colour__eq=red');
    expectError(res, 400, 'validation_error');
    expect(res.json.fields[0].name).toBe('colour__eq');
    expectError(
      await service.listJobs(`?filter=${encodeURIComponent('colour=red')}`),
      400,
      'validation_error',
    );
  });

  it('pages and filters the chunks of a job', async () => {
    const job = (await service.createJob({ name: 'chunky' })).json;
    const pieces = [Buffer.from('a'), Buffer.from('bb'), Buffer.from('ccc'), Buffer.from('dddd')];
    for (const piece of pieces) expect((await service.appendChunk(job.id, piece)).status).toBe(201);
    const list = async (query: string) => {
      const res = await service.listChunks(job.id, query);
      expect(res.status).toBe(200);
      expectSchema('uploadChunkPage', res.json);
      return res.json;
    };
    const first = await list('?limit=2&include=total_count');
    expect(first).toMatchObject({
      object: 'list',
      has_more: true,
      limit: 2,
      order: 'ASC',
      after: null,
      total_count: 4,
    });
    expect(first.data.map((c: { id: number }) => c.id)).toEqual([1, 2]);
    const second = await list('?limit=2&after=2');
    expect(second.data.map((c: { id: number }) => c.id)).toEqual([3, 4]);
    expect(second.has_more).toBe(false);
    expect((await list('?order=DESC&limit=3')).data.map((c: { id: number }) => c.id)).toEqual([4, 3, 2]);
    expect((await list('?length__gte=3')).data.map((c: { id: number }) => c.id)).toEqual([3, 4]);
    const hash = Buffer.from(md5Base64(pieces[1]!), 'base64').toString('hex');
    expect(
      (await list(`?filter=${encodeURIComponent(`hash__eq=${hash}`)}`)).data.map((c: { id: number }) => c.id),
    ).toEqual([2]);
    expect((await list('?id__in=1,4')).data.map((c: { length: number }) => c.length)).toEqual([1, 4]);
  });

  it('pages and filters firmware images', async () => {
    for (const name of ['img-a', 'img-b', 'img-c']) {
      await emulator.state.seedFirmwareImage({ name, data: Buffer.from(name.repeat(3)) });
    }
    const list = async (query: string) => {
      const res = await service.listImages(query);
      expect(res.status).toBe(200);
      expectSchema('firmwareImagePage', res.json);
      return res.json;
    };
    const all = await list('?include=total_count');
    expect(all).toMatchObject({ object: 'list', has_more: false, limit: 50, order: 'ASC', total_count: 3 });
    expect(names(all)).toEqual(['img-a', 'img-b', 'img-c']);
    const firstPage = await list('?limit=2&order=DESC');
    expect(names(firstPage)).toEqual(['img-c', 'img-b']);
    expect(firstPage.has_more).toBe(true);
    expect(names(await list(`?limit=2&order=DESC&after=${firstPage.data[1].id}`))).toEqual(['img-a']);
    expect(names(await list('?name__eq=img-b'))).toEqual(['img-b']);
    expect(names(await list(`?filter=${encodeURIComponent('name__nin=img-a,img-c')}`))).toEqual(['img-b']);
    const checksum = all.data[2].datafile_checksum;
    expect(names(await list(`?datafile_checksum__eq=${checksum}`))).toEqual(['img-c']);
  });
});
