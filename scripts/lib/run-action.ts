// Runs the bundled action (dist/index.js) the way a GitHub runner does: a Node 24 child process with
// INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and the GITHUB_* context. Shared by the
// end-to-end test and the demo, so both exercise exactly what users run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CAMPAIGN_ACTION_PATH, loadActionSpec } from './action-spec.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ACTION_ENTRY = join(PROJECT_ROOT, 'dist', 'index.js');
/** campaign/action.yml's `main: ../dist/campaign/index.js`, resolved from campaign/ as the runner does. */
export const CAMPAIGN_ACTION_ENTRY = join(
  dirname(CAMPAIGN_ACTION_PATH),
  '..',
  'dist',
  'campaign',
  'index.js',
);

/** The Node 24 binary of the `node@24` devDependency: the runtime `runs.using: node24` gives on GitHub. */
export function node24Binary(): string {
  const binary = join(PROJECT_ROOT, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    throw new Error(`Node 24 not found at ${binary}: run 'npm ci' (the devDependency node@24 provides it)`);
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new Error(`${binary} is ${version}, expected v24.x`);
  return binary;
}

export interface ActionRunOptions {
  /** Action inputs by their action.yml names (`api-key`, `image-path`, …); the rest get action.yml's defaults. */
  inputs: Record<string, string>;
  /** Extra environment, e.g. GITHUB_REF; the run starts from a clean environment, not this process's. */
  env?: Record<string, string>;
  /** The workspace the action runs in (relative `image-path`s resolve against it). */
  cwd?: string;
  /** Another build of the action to run instead of dist/index.js (the bench's --baseline). */
  entry?: string;
  /** Which action of the repository: the publish step (action.yml) or the campaign step (campaign/action.yml). */
  action?: 'publish' | 'campaign';
  /** Each line of the action's stdout and stderr as it arrives. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface ActionRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** What the action wrote to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** The job summary markdown (GITHUB_STEP_SUMMARY). */
  summary: string;
  /** Path of the summary file; it is removed by cleanup(). */
  summaryPath: string;
  cleanup(): Promise<void>;
}

export interface RunningAction {
  child: ChildProcess;
  result: Promise<ActionRunResult>;
}

/** Starts the action; `result` settles when the process has exited. */
export async function startAction(options: ActionRunOptions): Promise<RunningAction> {
  const node = node24Binary();
  const runnerDir = await mkdtemp(join(tmpdir(), 'action-runner-'));
  const outputPath = join(runnerDir, 'github_output');
  const summaryPath = join(runnerDir, 'step_summary.md');
  // The runner creates both files before the step starts; @actions/core appends to them.
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  const entry = options.entry ?? (options.action === 'campaign' ? CAMPAIGN_ACTION_ENTRY : ACTION_ENTRY);
  const child = spawn(node, [entry], {
    cwd: options.cwd ?? process.cwd(),
    env: await runnerEnvironment(runnerDir, outputPath, summaryPath, options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = collectLines(child.stdout, (line) => options.onLine?.(line, 'stdout'));
  const stderr = collectLines(child.stderr, (line) => options.onLine?.(line, 'stderr'));
  const result = (async (): Promise<ActionRunResult> => {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
      child.once('error', fail);
      child.once('close', (code, sig) => done([code, sig]));
    });
    return {
      exitCode,
      signal,
      stdout: await stdout,
      stderr: await stderr,
      outputs: parseGithubOutput(await readFile(outputPath, 'utf8')),
      summary: await readFile(summaryPath, 'utf8'),
      summaryPath,
      cleanup: () => rm(runnerDir, { recursive: true, force: true }),
    };
  })();
  return { child, result };
}

export async function runAction(options: ActionRunOptions): Promise<ActionRunResult> {
  return (await startAction(options)).result;
}

/** `GITHUB_OUTPUT` is a series of `name<<delimiter` … `delimiter` blocks (and plain `name=value` lines). */
export function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const end = lines.indexOf(delimiter ?? '', i + 1);
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no closing delimiter for ${name}`);
      outputs[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}

/**
 * A log line as a person reads it: workflow commands shown the way GitHub's log viewer renders them, and
 * `::add-mask::` (which carries the secret itself) never shown.
 */
export function renderLogLine(line: string): string | undefined {
  const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
  if (!command) return line;
  const [, name, message = ''] = command;
  switch (name) {
    case 'add-mask':
    case 'endgroup':
      return undefined;
    case 'group':
      return `▶ ${message}`;
    case 'warning':
      return `⚠ ${unescapeCommand(message)}`;
    case 'error':
      return `✖ ${unescapeCommand(message)}`;
    case 'debug':
      return undefined;
    default:
      return unescapeCommand(message);
  }
}

function unescapeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** What the step's `with:` gives, over action.yml's defaults, as the runner passes them. */
async function inputVariables(
  inputs: Record<string, string>,
  action: ActionRunOptions['action'],
): Promise<Record<string, string>> {
  const spec = await loadActionSpec(action === 'campaign' ? CAMPAIGN_ACTION_PATH : undefined);
  const defaults = spec.inputs.flatMap(({ name, default: value }) =>
    value === undefined ? [] : [[name, value] as const],
  );
  // The runner upper-cases the name and keeps hyphens: INPUT_API-KEY, INPUT_CHUNK-SIZE.
  return Object.fromEntries(
    [...defaults, ...Object.entries(inputs)].map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
  );
}

async function runnerEnvironment(
  runnerDir: string,
  outputPath: string,
  summaryPath: string,
  options: ActionRunOptions,
): Promise<Record<string, string>> {
  // A clean environment: nothing of this process (a proxy setting, a real key) leaks into the run.
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runnerDir,
    TMPDIR: tmpdir(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
    GITHUB_REPOSITORY: 'acme/widget-firmware',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'release',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: runnerDir,
    ...options.env,
    ...(await inputVariables(options.inputs, options.action)),
  };
}

/** The whole text of a stream, handing each line to `onLine` as it arrives. */
async function collectLines(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
): Promise<string> {
  if (!stream) return '';
  const lines: string[] = [];
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    lines.push(line);
    onLine(line);
  }
  return lines.join('\n');
}
