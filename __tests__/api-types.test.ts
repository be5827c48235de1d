import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { EMPTY_MD5_BASE64, isJobComplete, paths, type UploadJob } from '../src/api/types.js';

describe('api types', () => {
  it('EMPTY_MD5_BASE64 is the RFC 1864 digest of an empty body', () => {
    expect(createHash('md5').update(Buffer.alloc(0)).digest('base64')).toBe(EMPTY_MD5_BASE64);
  });

  it('reads completion from `completed`, `complete` or the status', () => {
    const job = { status: 'in_progress', firmware_image_id: '' } as UploadJob;
    expect(isJobComplete(job)).toBe(false);
    expect(isJobComplete({ ...job, completed: true })).toBe(true);
    expect(isJobComplete({ ...job, complete: true })).toBe(true);
    expect(isJobComplete({ ...job, status: 'completed' })).toBe(true);
  });

  it('escapes ids in paths', () => {
    expect(paths.chunk('a/b', 3)).toBe('/v3/firmware-images/upload-jobs/a%2Fb/chunks/3');
  });
});
