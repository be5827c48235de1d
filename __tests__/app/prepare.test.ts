// The warning a shortened default name gets, in each entry point's terms: the image's names the `name`
// input, the manifest's `manifest-name`, with the name as it will be used.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareCampaign, preparePublish } from '../../src/app/index.js';
import { actionVocabulary, render } from '../../src/common/hint.js';
import { cliVocabulary } from '../../src/cli/terms.js';
import { parseCampaignSettings, parseSettings } from '../../src/inputs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'prepare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const onTag = { sha: '0123456789abcdef0123456789abcdef01234567', ref: 'refs/tags/v1.2.3' };
const longFile = join(dir, `${'a'.repeat(200)}.bin`);
writeFileSync(longFile, 'firmware');
const inputs = (given: Record<string, string>) => (name: string) => given[name] ?? '';

describe('a shortened default name', () => {
  it('warns for the image, naming the input that chooses one', async () => {
    const settings = parseSettings(inputs({ 'image-path': longFile, 'api-key': 'ak_prepare' }), {});
    const prepared = await preparePublish(settings, onTag);
    expect(prepared.request.name).toHaveLength(128);
    const warning = render(prepared.nameWarning!, actionVocabulary);
    expect(warning).toMatch(/shortened to 128 characters/);
    expect(warning).toContain(`'${prepared.request.name}'`);
    expect(warning).toContain('the `name` input');
    expect(render(prepared.nameWarning!, cliVocabulary)).toContain('--name');
  });

  it('warns for the manifest, naming manifest-name', () => {
    const settings = parseCampaignSettings(
      inputs({ 'manifest-path': longFile, 'device-filter': 'id__eq=1', 'api-key': 'ak_prepare' }),
      {},
    );
    const prepared = prepareCampaign(settings, onTag);
    const warning = render(prepared.nameWarning!, actionVocabulary);
    expect(warning).toMatch(/^The default manifest name was shortened to 128 characters/);
    expect(warning).toContain('the `manifest-name` input');
  });
});
