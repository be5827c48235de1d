// The run's context from @actions/github, and nothing else of it: the package's entry point also builds
// Octokit (1.1 MB of bundle, measured in the README), and its `exports` offer nothing narrower, so the
// one module is imported by its path. If a release of @actions/github moves it, the typecheck fails here.
// An entry-adapter module (src/*.ts): both actions and the CLI read the runner's variables through it.
import { existsSync } from 'node:fs';
import { Context } from '../node_modules/@actions/github/lib/context.js';
import type { RunnerContext } from './inputs/index.js';

/**
 * The runner's context, read from process.env (and the event payload) as @actions/github reads it. An
 * event file that is missing or cannot be parsed is left out: the payload only backs up GITHUB_REPOSITORY,
 * and without it the commit and tag (the default name) still come from the variables.
 */
export function runnerContext(): RunnerContext {
  const eventPath = process.env.GITHUB_EVENT_PATH;
  if (eventPath !== undefined && existsSync(eventPath)) {
    try {
      return new Context();
    } catch {
      // Unreadable or not JSON: read the variables alone, below.
    }
  }
  return withoutEventFile(() => new Context());
}

/**
 * Context prints "GITHUB_EVENT_PATH <path> does not exist" on stdout, where it would break the CLI's
 * `--json` output and echo a value unneutralised, and throws on an event file it cannot parse.
 */
function withoutEventFile<T>(read: () => T): T {
  const eventPath = process.env.GITHUB_EVENT_PATH;
  delete process.env.GITHUB_EVENT_PATH;
  try {
    return read();
  } finally {
    if (eventPath !== undefined) process.env.GITHUB_EVENT_PATH = eventPath;
  }
}
