import { describe, expect, it } from '@jest/globals';
import { defaultDescription, defaultName, type Provenance } from '../../src/inputs/index.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const onTag: Provenance = { repository: 'acme/fw', sha: SHA, ref: 'refs/tags/v1.2.3' };
const onBranch: Provenance = { repository: 'acme/fw', sha: SHA, ref: 'refs/heads/main' };

describe('defaultName', () => {
  it('uses the tag when on one', () => {
    expect(defaultName('firmware.bin', onTag)).toEqual({ name: 'firmware.bin@v1.2.3' });
  });

  it('uses the short commit SHA off a tag', () => {
    expect(defaultName('firmware.bin', onBranch)).toEqual({ name: 'firmware.bin@0123456' });
  });

  it('is the file name alone when neither is known', () => {
    expect(defaultName('firmware.bin', {})).toEqual({ name: 'firmware.bin' });
  });

  it('uses the base name of a path', () => {
    expect(defaultName('build/out/firmware.bin', onTag).name).toBe('firmware.bin@v1.2.3');
  });

  it('is stable across re-runs: run id, attempt and actor do not matter', () => {
    const first = defaultName('fw.bin', { ...onBranch, runId: 1, runAttempt: 1, actor: 'a' });
    const again = defaultName('fw.bin', { ...onBranch, runId: 2, runAttempt: 3, actor: 'b' });
    expect(again).toEqual(first);
  });

  it('replaces odd characters', () => {
    expect(defaultName('my firmware (ü).bin', { ref: 'refs/tags/release/1.0 rc' }).name).toBe(
      'my_firmware_.bin@release_1.0_rc',
    );
  });

  it('shortens a long file name, keeping the tag and extension, and warns', () => {
    const result = defaultName(`${'a'.repeat(200)}.bin`, onTag);
    expect(result.name).toHaveLength(128);
    expect(result.name).toMatch(/^a+~\.bin@v1\.2\.3$/);
    expect(result.warning).toMatch(/shortened to 128 characters/);
    expect(result.warning).toContain(result.name);
  });

  it('stays within 128 characters even with a very long tag', () => {
    const result = defaultName('firmware.bin', { ref: `refs/tags/${'t'.repeat(300)}` });
    expect(result.name.length).toBeLessThanOrEqual(128);
    expect(result.name).toBe(`firmware.bin@${'t'.repeat(111)}`);
    expect(result.warning).toBeDefined();
  });
});

describe('defaultDescription', () => {
  it('names repository, commit, tag and links the run', () => {
    const text = defaultDescription({
      ...onTag,
      serverUrl: 'https://github.com',
      runId: 42,
      runAttempt: 2,
      workflow: 'release',
    });
    expect(text).toContain('acme/fw');
    expect(text).toContain(SHA);
    expect(text).toContain('v1.2.3');
    expect(text).toContain('https://github.com/acme/fw/actions/runs/42');
  });

  it('leaves the link out when the run is unknown', () => {
    const text = defaultDescription(onBranch);
    expect(text).not.toContain('actions/runs');
    expect(text).not.toContain('tag');
  });

  it('says something sensible with no provenance', () => {
    expect(defaultDescription({})).toBe('Published.');
  });

  it('stays within 2000 characters', () => {
    expect(defaultDescription({ repository: 'r'.repeat(3000) }).length).toBeLessThanOrEqual(2000);
  });
});
