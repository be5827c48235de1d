// `npm run docs` writes the inputs/outputs tables of action.yml, and the CLI's option tables of the input
// specification (src/inputs/spec.ts), into README.md; `npm run docs -- --check` fails when README.md (or
// an example workflow) no longer matches, when an action.yml and the specification disagree (an input,
// `required`, a default), or when the CLI lacks an option for an input: the docs cannot drift.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import {
  asRecord,
  CAMPAIGN_ACTION_PATH,
  loadActionSpec,
  type ActionInput,
  type ActionOutput,
  type ActionSpec,
} from './lib/action-spec.js';
import { checkActionInputs, checkCliOptions, cliTable } from './lib/input-spec-check.js';
import { closedSetProblems } from './lib/closed-set-docs.js';

/** How the examples (and README snippets) refer to this action. */
export const ACTION_REF = 'izuma/firmware-publish-action';
/** The campaign step of the same repository (campaign/action.yml). */
export const CAMPAIGN_ACTION_REF = `${ACTION_REF}/campaign`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const README_PATH = path.join(ROOT, 'README.md');
export const EXAMPLES_DIR = path.join(ROOT, 'examples');
export const ENV_EXAMPLE_PATH = path.join(ROOT, '.env.example');

/** A markdown table cell: one line, with `|` escaped so it cannot split the row. */
export function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${cell(text)}\``;
}

export function inputsTable(inputs: ActionInput[]): string {
  const rows = inputs.map(
    (i) =>
      `| ${code(i.name)} | ${i.required ? 'yes' : 'no'} | ${i.default ? code(i.default) : ''} | ${cell(i.description)} |`,
  );
  return ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function outputsTable(outputs: ActionOutput[]): string {
  const rows = outputs.map((o) => `| ${code(o.name)} | ${cell(o.description)} |`);
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n');
}

/** Replaces what lies between `<!-- <section>:start -->` and `<!-- <section>:end -->`. */
export function replaceBetweenMarkers(text: string, section: string, body: string): string {
  const start = `<!-- ${section}:start -->`;
  const end = `<!-- ${section}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    throw new Error(
      `README.md lacks the markers ${start} … ${end}; add them where the ${section} table goes.`,
    );
  }
  return `${text.slice(0, from + start.length)}\n\n${body}\n\n${text.slice(to)}`;
}

/**
 * README.md as `npm run docs` writes it: the tables of action.yml (markers `inputs`, `outputs`) and of
 * campaign/action.yml (`campaign-inputs`, `campaign-outputs`), formatted as prettier would.
 */
export async function renderReadme(
  readme: string,
  spec: ActionSpec,
  campaignSpec?: ActionSpec,
): Promise<string> {
  const campaign = campaignSpec ?? (await loadActionSpec(CAMPAIGN_ACTION_PATH));
  let text = replaceBetweenMarkers(readme, 'inputs', inputsTable(spec.inputs));
  text = replaceBetweenMarkers(text, 'outputs', outputsTable(spec.outputs));
  text = replaceBetweenMarkers(text, 'campaign-inputs', inputsTable(campaign.inputs));
  text = replaceBetweenMarkers(text, 'campaign-outputs', outputsTable(campaign.outputs));
  // The CLI's option tables come from the input specification (src/inputs/spec.ts).
  text = replaceBetweenMarkers(text, 'cli-options', cliTable('publish', cell));
  text = replaceBetweenMarkers(text, 'cli-campaign-options', cliTable('campaign', cell));
  // Format with the repo's prettier settings so `npm run format:check` and `docs --check` agree.
  const options = (await prettier.resolveConfig(README_PATH)) ?? {};
  return prettier.format(text, { ...options, filepath: README_PATH });
}

/**
 * Problems in one workflow file's use of these actions: every `with:` key must be an input, every
 * required input given, and every `steps.<id>.outputs.<x>` naming one of our steps must be an output;
 * a campaign step (`…/campaign@`) is checked against `campaignSpec` when given.
 */
export function checkWorkflow(
  workflowYaml: string,
  spec: ActionSpec,
  fileName = 'workflow',
  campaignSpec?: ActionSpec,
): string[] {
  const problems: string[] = [];
  const workflow = asRecord(parseYaml(workflowYaml), fileName);
  const jobs = asRecord(workflow.jobs ?? {}, `${fileName} jobs`);
  let usesAction = false;
  for (const [jobId, rawJob] of Object.entries(jobs)) {
    const job = asRecord(rawJob, `${fileName} job ${jobId}`);
    const steps = Array.isArray(job.steps)
      ? job.steps.map((s, i) => asRecord(s, `${jobId} step ${i + 1}`))
      : [];
    /** Our steps by id, with the spec of the action each uses. */
    const ourSteps = new Map<string, { spec: ActionSpec; file: string }>();
    steps.forEach((step, i) => {
      const isCampaign = campaignSpec !== undefined && isCampaignAction(step.uses);
      if (!isCampaign && !isOurAction(step.uses)) return;
      if (!isCampaign) usesAction = true;
      const used = isCampaign
        ? { spec: campaignSpec, file: 'campaign/action.yml' }
        : { spec, file: 'action.yml' };
      const where = `${fileName}: job ${jobId}, step ${String(step.id ?? step.name ?? i + 1)}`;
      if (typeof step.id === 'string') ourSteps.set(step.id, used);
      const given = asRecord(step.with ?? {}, `${where} with`);
      const inputNames = new Set(used.spec.inputs.map((input) => input.name));
      for (const key of Object.keys(given)) {
        if (!inputNames.has(key)) problems.push(`${where}: \`${key}\` is not an input of ${used.file}`);
      }
      for (const input of used.spec.inputs) {
        if (input.required && !(input.name in given)) {
          problems.push(`${where}: required input \`${input.name}\` is missing`);
        }
      }
    });
    for (const text of stringsIn(job)) {
      for (const [, stepId, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const used = ourSteps.get(stepId!);
        if (used && !used.spec.outputs.some((o) => o.name === output)) {
          problems.push(
            `${fileName}: job ${jobId} reads \`steps.${stepId}.outputs.${output}\`, not an output of ${used.file}`,
          );
        }
      }
    }
  }
  if (!usesAction) problems.push(`${fileName}: no step uses ${ACTION_REF}`);
  return problems;
}

/** Problems in .env.example: every `INPUT_<name>` line must name an input of action.yml. */
export function checkEnvExample(text: string, spec: ActionSpec, fileName = '.env.example'): string[] {
  const inputNames = new Set(spec.inputs.map((i) => i.name));
  const problems: string[] = [];
  for (const [, name] of text.matchAll(/^\s*INPUT_([^=\s]+)\s*=/gm)) {
    // The runner upper-cases input names; local-action and @actions/core match them case-insensitively.
    if (!inputNames.has(name!.toLowerCase()))
      problems.push(`${fileName}: INPUT_${name} is not an input of action.yml`);
  }
  return problems;
}

function isOurAction(uses: unknown): boolean {
  return typeof uses === 'string' && (uses.startsWith(`${ACTION_REF}@`) || uses === './');
}

function isCampaignAction(uses: unknown): boolean {
  return typeof uses === 'string' && (uses.startsWith(`${CAMPAIGN_ACTION_REF}@`) || uses === './campaign');
}

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsIn(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) yield* stringsIn(v);
}

export async function exampleFiles(): Promise<string[]> {
  const names = await readdir(EXAMPLES_DIR);
  return names.filter((n) => n.endsWith('.yml')).map((n) => path.join(EXAMPLES_DIR, n));
}

/** Every problem the CI check reports: a stale README and examples that misuse action.yml. */
export async function findDrift(): Promise<{ readme: string; expected: string; problems: string[] }> {
  const spec = await loadActionSpec();
  const campaignSpec = await loadActionSpec(CAMPAIGN_ACTION_PATH);
  const readme = await readFile(README_PATH, 'utf8');
  const expected = await renderReadme(readme, spec, campaignSpec);
  const problems: string[] = [];
  if (expected !== readme) {
    problems.push(
      'README.md tables differ from action.yml, campaign/action.yml or src/inputs/spec.ts (the CLI tables)',
    );
  }
  for (const file of await exampleFiles()) {
    problems.push(
      ...checkWorkflow(await readFile(file, 'utf8'), spec, path.relative(ROOT, file), campaignSpec),
    );
  }
  problems.push(...checkEnvExample(await readFile(ENV_EXAMPLE_PATH, 'utf8'), spec));
  problems.push(...checkActionInputs(spec, 'publish'), ...checkActionInputs(campaignSpec, 'campaign'));
  problems.push(...checkCliOptions());
  problems.push(...(await closedSetProblems(spec, campaignSpec)));
  return { readme, expected, problems };
}

async function main(args: string[]): Promise<number> {
  const { expected, problems } = await findDrift();
  if (args.includes('--check')) {
    if (problems.length === 0) {
      console.log(
        'README.md and examples/ match action.yml and campaign/action.yml; both, the CLI and the README match src/inputs/spec.ts; the emulator README and the outcome outputs name every member of their sets',
      );
      return 0;
    }
    for (const p of problems) console.error(p);
    console.error("Run 'npm run docs' to regenerate the README tables, fix the examples, and commit.");
    return 1;
  }
  await writeFile(README_PATH, expected);
  console.log('README.md tables written from action.yml');
  const exampleProblems = problems.filter((p) => !p.startsWith('README.md'));
  for (const p of exampleProblems) console.error(p);
  return exampleProblems.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
