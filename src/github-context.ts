// The run's context from @actions/github, and nothing else of it: the package's entry point also builds
// Octokit (1.1 MB of bundle, measured in the README), and its `exports` offer nothing narrower, so the
// one module is imported by its path. If a release of @actions/github moves it, the typecheck fails here.
// An entry-adapter module (src/*.ts): both actions and the CLI read the runner's variables through it.
import { existsSync } from 'node:fs';
import { Context } from '../node_modules/@actions/github/lib/context.js';
import type { RunnerContext } from './inputs/index.js';

/**
 * The runner's context, read from process.env (and the event payload) as @actions/github reads it;
 * undefined if the event file cannot be parsed, so a broken payload costs the provenance, not the run.
 */
export function runnerContext(): RunnerContext | undefined {
  try {
    return withoutMissingEventFile(() => new Context());
  } catch {
    return undefined;
  }
}

/**
 * Context prints "GITHUB_EVENT_PATH <path> does not exist" on stdout, where it would break the CLI's
 * `--json` output and echo a value unneutralised: a missing event file is left out instead (the payload
 * only backs up GITHUB_REPOSITORY).
 */
function withoutMissingEventFile<T>(read: () => T): T {
  const eventPath = process.env.GITHUB_EVENT_PATH;
  if (eventPath === undefined || existsSync(eventPath)) return read();
  delete process.env.GITHUB_EVENT_PATH;
  try {
    return read();
  } finally {
    process.env.GITHUB_EVENT_PATH = eventPath;
  }
}
