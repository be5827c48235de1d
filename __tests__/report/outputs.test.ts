import { describe, expect, it } from '@jest/globals';
import { outputsFor } from '../../src/report/outputs.js';
import { sampleResult } from './fixtures.js';

describe('outputsFor', () => {
  it('sets every output of an upload, as strings', () => {
    expect(outputsFor(sampleResult())).toEqual({
      firmware_image_id: '0165a1b2c3d4e5f60718293a4b5c6d7e',
      datafile_url: 'https://example.invalid/firmware/firmware.bin',
      short_datafile_url: 'https://example.invalid/s/abc',
      datafile_checksum: 'a'.repeat(64),
      datafile_size: String(11 * 1024 * 1024),
      upload_job_id: '0165ffffffffffffffffffffffffffff',
      name: 'firmware.bin-v1.2.3',
      outcome: 'uploaded',
    });
  });

  it('leaves out short_datafile_url when the service sent none, and the job id of a reused image', () => {
    const outputs = outputsFor(
      sampleResult({ outcome: 'reused', shortDatafileUrl: undefined, uploadJobId: undefined }),
    );
    expect(outputs).not.toHaveProperty('short_datafile_url');
    expect(outputs).not.toHaveProperty('upload_job_id');
    expect(outputs.outcome).toBe('reused');
    expect(outputs.firmware_image_id).toBe('0165a1b2c3d4e5f60718293a4b5c6d7e');
  });

  it('gives a dry run no ids or URLs, even when it found an identical image', () => {
    const outputs = outputsFor(sampleResult({ outcome: 'dry-run' }));
    expect(Object.keys(outputs).sort()).toEqual(['datafile_checksum', 'datafile_size', 'name', 'outcome']);
    expect(outputs.outcome).toBe('dry-run');
  });
});
