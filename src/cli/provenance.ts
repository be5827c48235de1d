// Where the image comes from, outside GitHub's action context: the CI system's variables, else git.
// It feeds the same defaultName()/defaultDescription() as the action, so a name is stable across re-runs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Provenance } from '../inputs/index.js';

type Env = Record<string, string | undefined>;

const tagRef = (tag: string | undefined) => (tag ? `refs/tags/${tag}` : undefined);
const branchRef = (branch: string | undefined) => (branch ? `refs/heads/${branch}` : undefined);

/** Drops unset fields so a spread never overwrites a value with undefined. */
function defined(p: Provenance): Provenance {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== '')) as Provenance;
}

/** GitHub Actions, GitLab CI or Jenkins, recognised by their commit variable; undefined elsewhere. */
export function provenanceFromCiEnv(env: Env): Provenance | undefined {
  if (env.GITHUB_SHA) {
    return defined({
      repository: env.GITHUB_REPOSITORY,
      sha: env.GITHUB_SHA,
      ref: env.GITHUB_REF,
      serverUrl: env.GITHUB_SERVER_URL,
      runId: env.GITHUB_RUN_ID,
      runAttempt: env.GITHUB_RUN_ATTEMPT,
      workflow: env.GITHUB_WORKFLOW,
      actor: env.GITHUB_ACTOR,
    });
  }
  // GitLab and Jenkins get no serverUrl: defaultDescription() would build a GitHub-style run link from it.
  if (env.CI_COMMIT_SHA) {
    return defined({
      repository: env.CI_PROJECT_PATH,
      sha: env.CI_COMMIT_SHA,
      ref: tagRef(env.CI_COMMIT_TAG) ?? branchRef(env.CI_COMMIT_BRANCH),
      workflow: env.CI_JOB_NAME,
      actor: env.GITLAB_USER_LOGIN,
    });
  }
  if (env.GIT_COMMIT) {
    return defined({
      sha: env.GIT_COMMIT,
      ref: tagRef(env.TAG_NAME) ?? branchRef(env.BRANCH_NAME),
      workflow: env.JOB_NAME,
    });
  }
  return undefined;
}

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
  return defined({ sha, ref: tagRef(tag) });
}

export async function cliProvenance(env: Env, cwd: string): Promise<Provenance> {
  return provenanceFromCiEnv(env) ?? (await provenanceFromGit(cwd));
}
