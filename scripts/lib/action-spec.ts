// action.yml read as the runner and the docs see it: inputs (with their defaults) and outputs. Shared by
// `npm run docs` (the README tables and the example checks) and run-action.ts (the runner's INPUT_ defaults).
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  default?: string;
}
export interface ActionOutput {
  name: string;
  description: string;
}
export interface ActionSpec {
  inputs: ActionInput[];
  outputs: ActionOutput[];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ACTION_PATH = join(ROOT, 'action.yml');
/** The campaign step, `uses: izuma/firmware-publish-action/campaign@v1`. */
export const CAMPAIGN_ACTION_PATH = join(ROOT, 'campaign', 'action.yml');

export async function loadActionSpec(path = ACTION_PATH): Promise<ActionSpec> {
  return parseActionSpec(await readFile(path, 'utf8'));
}

export function parseActionSpec(yamlText: string): ActionSpec {
  const doc = asRecord(parseYaml(yamlText), 'action.yml');
  const inputs = Object.entries(asRecord(doc.inputs ?? {}, 'action.yml inputs')).map(([name, raw]) => {
    const input = asRecord(raw, `action.yml input ${name}`);
    return {
      name,
      description: String(input.description ?? ''),
      required: input.required === true || input.required === 'true',
      default: input.default === undefined ? undefined : String(input.default),
    };
  });
  const outputs = Object.entries(asRecord(doc.outputs ?? {}, 'action.yml outputs')).map(([name, raw]) => ({
    name,
    description: String(asRecord(raw, `action.yml output ${name}`).description ?? ''),
  }));
  return { inputs, outputs };
}

/** The YAML value as a mapping, or an error naming where the mapping was expected. */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new Error(`${what} is not a mapping`);
}
