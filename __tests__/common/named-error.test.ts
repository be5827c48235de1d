// Every error is named after its class (src/common/named-error.ts), in the source and in the minified
// bundle (ncc keeps class names), so a stack or a debug line names the failure.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/cli/errors.js';
import { ImageChangedError, ImagePathError } from '../../src/image/index.js';
import { InputError } from '../../src/inputs/index.js';
import { AnotherWriterError, VerificationError } from '../../src/uploader/index.js';
import { ensureFreshDist } from '../../scripts/lib/fresh-dist.js';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';

describe('NamedError', () => {
  it.each([
    ['InputError', new InputError('chunk-size', 'too small')],
    ['ImagePathError', new ImagePathError('no file')],
    ['ImageChangedError', new ImageChangedError('fw.bin', 'size 1 -> 2 bytes')],
    [
      'VerificationError',
      new VerificationError('img-1', { size: 1, checksum: 'a' }, { size: 2, checksum: 'b' }),
    ],
    // Two levels below HintedError: the class that was constructed names it.
    ['AnotherWriterError', new AnotherWriterError('job-1', 'a foreign chunk')],
    ['UsageError', new UsageError('bad')],
  ])('%s is named after its class', (name, error) => {
    expect(error.name).toBe(name);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
  });

  describe('in the bundle', () => {
    beforeAll(() => ensureFreshDist(), 300_000);

    it('a --verbose failure of the bundled CLI names the class in its stack', () => {
      const run = spawnSync(
        process.execPath,
        [join(PROJECT_ROOT, 'dist/cli/index.js'), 'publish', '--image', 'no-such-*.bin', '--verbose'],
        { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, IZUMA_API_KEY: 'ak_named_error_test' } },
      );
      expect(run.status).toBe(2);
      expect(run.stderr.toString()).toMatch(/^ImagePathError: Input `image-path`/m);
    });
  });
});
