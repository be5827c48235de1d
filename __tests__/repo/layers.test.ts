// The layer rules of eslint.config.js fail on a wrong import: eslint's Node API lints a deliberately wrong
// snippet as if it were a file inside each layer's folder (lintText with a filePath; nothing is written).
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

/** The restricted-import messages eslint reports for `source` placed at `file`. */
async function importProblems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\n`, { filePath: join(PROJECT_ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules (eslint.config.js)', () => {
  it.each([
    ['src/client/wrong.ts', "import { publish } from '../uploader/index.js';", 'src/client/ may import only'],
    [
      'src/common/wrong.ts',
      "import type { UploadJob } from '../api/types.js';",
      'src/common/ may import only itself',
    ],
    [
      'src/inputs/wrong.ts',
      "export { locateImage } from '../image/index.js';",
      'src/inputs/ may import only',
    ],
    [
      'src/uploader/wrong.ts',
      "import { summaryMarkdown } from '../report/index.js';",
      'src/uploader/ may import only',
    ],
    ['src/uploader/wrong.ts', "import * as core from '@actions/core';", 'Only the entry adapters'],
    ['src/app/wrong.ts', "import { main } from '../cli/index.js';", 'src/app/ may import only'],
    ['src/image/plan.ts', "import * as glob from '@actions/glob';", 'Only the entry adapters'],
    ['src/image/locate.ts', "import * as core from '@actions/core';", 'Only the entry adapters'],
    [
      'src/emulator/wrong.ts',
      "import { parseSettings } from '../inputs/index.js';",
      'The emulator shares only',
    ],
    [
      'src/emulator/wrong.ts',
      "import { systemClock } from '../common/clock.js';",
      'The emulator shares only',
    ],
    ['src/main.ts', "import { startEmulator } from './emulator/index.js';", 'do not run the emulator'],
    [
      'src/report/wrong.ts',
      "import { seededBytes } from '../../__tests__/support/harness.js';",
      'never imports tests',
    ],
    ['src/uploader/wrong.ts', "import { ServiceError } from '../client/errors.js';", 'through its barrel'],
    ['src/main.ts', "import { publish } from './uploader/publish.js';", 'through its barrel'],
    [
      'scripts/lib/wrong.ts',
      "import { startRig } from '../../__tests__/support/rig.js';",
      'never import __tests__',
    ],
    [
      'src/inputs/wrong.ts',
      "import { Context } from '../../node_modules/@actions/github/lib/context.js';",
      'Import a package by its name',
    ],
    [
      'src/main.ts',
      "import { Context } from '../node_modules/@actions/github/lib/context.js';",
      'Import a package by its name',
    ],
  ])('%s: %s fails lint', async (file, source, message) => {
    const problems = await importProblems(file, source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it.each([
    ['src/uploader/right.ts', "import { UpdateServiceClient } from '../client/index.js';"],
    ['src/campaign/right.ts', "import { UploadSession } from '../uploader/index.js';"],
    ['src/app/right.ts', "import { summaryMarkdown } from '../report/index.js';"],
    ['src/cli/right.ts', "import * as core from '@actions/core';"],
    ['src/main.ts', "import * as core from '@actions/core';"],
    ['src/image/locate.ts', "import * as glob from '@actions/glob';"],
    ['src/emulator/right.ts', "import { parseSize } from '../common/bytes.js';"],
    ['src/emulator/right.ts', "import { md5Base64 } from '../image/md5.js';"],
    ['src/emulator/right.ts', "import { paths } from '../api/types.js';"],
    ['__tests__/support/right.ts', "import { seededBytes } from '../../scripts/lib/prng.js';"],
  ])('%s: %s passes', async (file, source) => {
    expect(await importProblems(file, source)).toEqual([]);
  });
});
