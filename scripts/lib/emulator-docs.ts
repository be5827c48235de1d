// The emulator README names every operation and every fault type: `npm run docs -- --check` reports the
// ones it lacks, so a new member of OPERATIONS or FAULT_TYPES cannot go undocumented.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAULT_TYPES, OPERATIONS } from '../../src/emulator/types.js';
import { PROJECT_ROOT } from './run-action.js';

export const EMULATOR_README_PATH = path.join(PROJECT_ROOT, 'src', 'emulator', 'README.md');

/** Problems of the emulator README's text: the operations list and the fault types it lacks. */
export function checkEmulatorReadme(text: string, fileName = 'src/emulator/README.md'): string[] {
  const problems: string[] = [];
  const list = /^Operations: ([\s\S]*?)\. `nth`/m.exec(text)?.[1];
  if (list === undefined) return [`${fileName}: no "Operations: …. \`nth\`" paragraph to check`];
  const listed = new Set(list.split(/,\s*/).map((item) => item.replace(/\s*\(.*$/s, '').trim()));
  for (const operation of OPERATIONS) {
    if (!listed.has(operation))
      problems.push(`${fileName}: operation ${operation} is not in the Operations list`);
  }
  for (const name of listed) {
    if (!(OPERATIONS as readonly string[]).includes(name)) {
      problems.push(`${fileName}: the Operations list names ${name}, which the emulator does not have`);
    }
  }
  for (const type of FAULT_TYPES) {
    if (!text.includes(`\`${type}\``)) problems.push(`${fileName}: fault type \`${type}\` is not documented`);
  }
  return problems;
}

export async function emulatorReadmeProblems(): Promise<string[]> {
  return checkEmulatorReadme(await readFile(EMULATOR_README_PATH, 'utf8'));
}
