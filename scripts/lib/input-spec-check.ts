// `npm run docs -- --check`'s hold on the input specification (src/inputs/spec.ts): both action.yml
// files declare exactly its inputs (required, default), the CLI has an option for every input of each
// command (and no other, besides --json and --verbose), and the README's CLI tables are generated from it.
import type { Command } from 'commander';
import { addCampaignCommand } from '../../src/cli/campaign.js';
import { buildProgram, CLI_ONLY_OPTIONS, isRequiredOption, optionHelp } from '../../src/cli/options.js';
import { INPUTS, rangeText, type InputSpec, type Step } from '../../src/inputs/spec.js';
import type { ActionSpec } from './action-spec.js';

const ACTION_FILES: Record<Step, string> = { publish: 'action.yml', campaign: 'campaign/action.yml' };

/** Problems between one action.yml and the specification of its step. */
export function checkActionInputs(action: ActionSpec, step: Step, specs = INPUTS[step]): string[] {
  const file = ACTION_FILES[step];
  const problems: string[] = [];
  for (const input of action.inputs) {
    const spec = specs.find((s) => s.name === input.name);
    if (!spec) {
      problems.push(`${file}: input \`${input.name}\` is not in src/inputs/spec.ts (${step})`);
      continue;
    }
    if ((spec.required ?? false) !== input.required) {
      problems.push(
        `${file}: input \`${input.name}\` required: ${input.required}, spec.ts says ${spec.required ?? false}`,
      );
    }
    if (spec.default !== input.default) {
      problems.push(
        `${file}: input \`${input.name}\` default ${JSON.stringify(input.default)}, spec.ts says ${JSON.stringify(spec.default)}`,
      );
    }
    // The range is the spec's: the description says it in the same words as --help and the messages.
    if (spec.range && !input.description.replace(/\s+/g, ' ').includes(rangeText(spec.range))) {
      problems.push(
        `${file}: input \`${input.name}\`'s description does not give its range as spec.ts has it: '${rangeText(spec.range)}'`,
      );
    }
  }
  for (const spec of specs) {
    if (!action.inputs.some((i) => i.name === spec.name)) {
      problems.push(`${file}: lacks input \`${spec.name}\` of src/inputs/spec.ts (${step})`);
    }
  }
  return problems;
}

/** The CLI as built: every input of a step has its option on that command, and nothing else is there. */
export function checkCliOptions(
  program = cliProgram(),
  specs: Record<Step, readonly InputSpec[]> = INPUTS,
): string[] {
  const problems: string[] = [];
  for (const step of Object.keys(specs) as Step[]) {
    const command = program.commands.find((c) => c.name() === step);
    if (!command) {
      problems.push(`the CLI has no \`${step}\` command`);
      continue;
    }
    const flags = new Set(command.options.map((o) => o.flags));
    const expected = new Set([...specs[step].map((s) => s.cli.flag), ...CLI_ONLY_OPTIONS.map((o) => o.flag)]);
    for (const spec of specs[step]) {
      if (!flags.has(spec.cli.flag)) {
        problems.push(`the CLI's \`${step}\` lacks ${spec.cli.flag} for input \`${spec.name}\``);
      }
    }
    for (const flag of flags) {
      if (!expected.has(flag))
        problems.push(`the CLI's \`${step}\` has ${flag}, which is not in src/inputs/spec.ts`);
    }
  }
  return problems;
}

function cliProgram(): Command {
  const quiet = { write: () => true };
  const program = buildProgram({ stdout: quiet, stderr: quiet }, () => {});
  addCampaignCommand(program, () => {});
  return program;
}

/** The README's table of a command's options: option, the action input it stands for, its help line. */
export function cliTable(step: Step, cell: (text: string) => string): string {
  const code = (text: string) => `\`${cell(text)}\``;
  const rows = [
    ...INPUTS[step].map(
      (s) =>
        `| ${code(s.cli.flag)} | ${code(s.name)} | ${cell(optionHelp(s))}${isRequiredOption(s) ? ' (required)' : ''} |`,
    ),
    ...CLI_ONLY_OPTIONS.map((o) => `| ${code(o.flag)} | | ${cell(o.help)} |`),
  ];
  return ['| Option | Action input | Notes |', '| --- | --- | --- |', ...rows].join('\n');
}
