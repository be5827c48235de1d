// The run's context from @actions/github, and nothing else of it: the package's entry point also builds
// Octokit (1.1 MB of bundle, measured in the README), and its `exports` offer nothing narrower, so the
// one module is imported by its path. If a release of @actions/github moves it, the typecheck fails here.
// An entry-adapter module (src/*.ts): both actions and the CLI read the runner's variables through it.
import { Context } from '../node_modules/@actions/github/lib/context.js';
import type { RunnerContext } from './inputs/index.js';

/**
 * The runner's context, read from process.env (and the event payload) as @actions/github reads it;
 * undefined if the runner's event file cannot be read, so a broken payload costs the provenance, not the run.
 */
export function runnerContext(): RunnerContext | undefined {
  try {
    return new Context();
  } catch {
    return undefined;
  }
}
