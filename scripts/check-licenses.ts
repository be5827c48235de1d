// `npm run check:licenses [-- --root <dir>]`: every dist/**/licenses.txt (one per bundle, written by ncc)
// lists only allowed licences. Exits 1 naming each package outside the list, or when no licenses.txt exists.
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from './lib/run-action.js';
import { ALLOWED_LICENSES, checkLicenses, parseLicenses } from './lib/licenses.js';

async function licenseFiles(root: string): Promise<string[]> {
  const entries = await readdir(join(root, 'dist'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name === 'licenses.txt')
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const root = resolve(values.root ?? PROJECT_ROOT);
  const files = await licenseFiles(root);
  if (files.length === 0) {
    console.error(`no dist/**/licenses.txt under ${root}: run 'npm run bundle' first`);
    return 1;
  }
  const problems: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const shown = relative(root, file);
    problems.push(...checkLicenses(text, shown));
    console.log(`${shown}: ${parseLicenses(text).length} packages`);
  }
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) return 1;
  console.log(`every bundled licence is one of: ${ALLOWED_LICENSES.join(', ')}`);
  return 0;
}

process.exitCode = await main();
