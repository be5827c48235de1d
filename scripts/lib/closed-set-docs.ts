// The closed sets that users read about: the emulator README names every operation and fault type, and
// each action's `outcome` output names every outcome. `npm run docs -- --check` reports what is missing,
// so a new member of OPERATIONS, FAULT_TYPES, PUBLISH_OUTCOMES or CAMPAIGN_OUTCOMES cannot go undocumented.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CAMPAIGN_OUTCOMES } from '../../src/campaign/types.js';
import { FAULT_TYPES, OPERATIONS } from '../../src/emulator/types.js';
import { PUBLISH_OUTCOMES } from '../../src/uploader/types.js';
import { CAMPAIGN_ACTION_PATH, loadActionSpec, type ActionSpec } from './action-spec.js';
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

/** Problems of an action's `outcome` output: the outcomes its description does not name as `code`. */
export function checkOutcomeOutput(
  spec: ActionSpec,
  outcomes: readonly string[],
  fileName: string,
): string[] {
  const output = spec.outputs.find((o) => o.name === 'outcome');
  if (!output) return [`${fileName}: no \`outcome\` output`];
  return outcomes
    .filter((outcome) => !output.description.includes(`\`${outcome}\``))
    .map((outcome) => `${fileName}: the \`outcome\` output does not name \`${outcome}\``);
}

export async function closedSetProblems(spec?: ActionSpec, campaignSpec?: ActionSpec): Promise<string[]> {
  return [
    ...checkEmulatorReadme(await readFile(EMULATOR_README_PATH, 'utf8')),
    ...checkOutcomeOutput(spec ?? (await loadActionSpec()), PUBLISH_OUTCOMES, 'action.yml'),
    ...checkOutcomeOutput(
      campaignSpec ?? (await loadActionSpec(CAMPAIGN_ACTION_PATH)),
      CAMPAIGN_OUTCOMES,
      'campaign/action.yml',
    ),
  ];
}
