// Where the image comes from on the command line: the CI system's variables (on GitHub the same context
// as the action's), else git. It feeds the same defaultName()/defaultDescription() as the action, so a name is
// stable across re-runs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunBasics } from '../app/index.js';
import type { Logger } from '../common/logger.js';
import { provenanceFromCiEnv, tagRef, type Provenance, type RunnerContext } from '../inputs/index.js';
import type { CommandContext } from './run.js';

type Env = Record<string, string | undefined>;

/** The commit checked out in `cwd` and its tag, if git is there; nothing (not an error) otherwise. */
export async function provenanceFromGit(cwd: string): Promise<Provenance> {
  const git = async (...args: string[]) => {
    try {
      const { stdout } = await promisify(execFile)('git', args, { cwd, timeout: 5000 });
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const sha = await git('rev-parse', '--verify', 'HEAD');
  if (!sha) return {};
  const tag = await git('describe', '--tags', '--exact-match', 'HEAD');
  return tag ? { sha, ref: tagRef(tag) } : { sha };
}

/** `github`: the runner's context, read only where `env` is a GitHub runner's (GITHUB_SHA set). */
export async function cliProvenance(
  env: Env,
  cwd: string,
  github: () => RunnerContext | undefined = () => undefined,
): Promise<Provenance> {
  return provenanceFromCiEnv(env, github) ?? (await provenanceFromGit(cwd));
}

/** What every command gives its run: provenance (CI variables, else git), the logger, the signal, the env. */
export async function commandBasics(ctx: CommandContext, logger: Logger): Promise<RunBasics> {
  return {
    provenance: await cliProvenance(ctx.env, ctx.cwd ?? process.cwd(), ctx.githubContext),
    logger,
    signal: ctx.signal,
    env: ctx.env,
  };
}
