import { basename, extname } from 'node:path';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../api/types.js';

/** Where the image comes from: the CI system's variables (provenanceFromCiEnv), or git for the CLI. */
export interface Provenance {
  repository?: string;
  sha?: string;
  ref?: string;
  serverUrl?: string;
  runId?: number;
  runAttempt?: number;
  workflow?: string;
  actor?: string;
}

type Env = Record<string, string | undefined>;

export const tagRef = (tag: string | undefined) => (tag ? `refs/tags/${tag}` : undefined);
const branchRef = (branch: string | undefined) => (branch ? `refs/heads/${branch}` : undefined);

/** Drops unset fields so a spread never overwrites a value with undefined. */
function defined(p: Provenance): Provenance {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== '')) as Provenance;
}

/**
 * What provenance reads of @actions/github's `Context` (src/github-context.ts hands one in): the facts
 * of the run, as the runner's variables and event payload give them.
 */
export interface RunnerContext {
  readonly sha: string | undefined;
  readonly ref: string | undefined;
  readonly serverUrl: string | undefined;
  /** NaN when the runner does not set it. */
  readonly runId: number;
  readonly runAttempt: number;
  readonly workflow: string | undefined;
  readonly actor: string | undefined;
  /** Throws when neither GITHUB_REPOSITORY nor the payload names the repository. */
  readonly repo: { owner: string; repo: string };
}

/**
 * GitHub Actions, GitLab CI or Jenkins, recognised by their commit variable; undefined elsewhere. On
 * GitHub the facts come from the runner's context (`github`), the one reader of its variables; without
 * one (a caller that is not on a runner) the others are tried.
 */
export function provenanceFromCiEnv(
  env: Env,
  github: () => RunnerContext | undefined,
): Provenance | undefined {
  const context = env.GITHUB_SHA ? github() : undefined;
  if (context) return githubProvenance(context);
  return otherCiProvenance(env);
}

/** On a GitHub runner (the action): whatever of the run's facts are known; nothing without a context. */
export function githubProvenance(context: RunnerContext | undefined): Provenance {
  if (context === undefined) return {};
  return defined({
    repository: repositoryOf(context),
    sha: context.sha,
    ref: context.ref,
    serverUrl: context.serverUrl,
    runId: Number.isSafeInteger(context.runId) ? context.runId : undefined,
    runAttempt: Number.isSafeInteger(context.runAttempt) ? context.runAttempt : undefined,
    workflow: context.workflow,
    actor: context.actor,
  });
}

function repositoryOf(context: RunnerContext): string | undefined {
  try {
    const { owner, repo } = context.repo;
    // GITHUB_REPOSITORY without a slash gives no repo: no repository, rather than 'acme/undefined'.
    return owner && repo ? `${owner}/${repo}` : undefined;
  } catch {
    return undefined;
  }
}

function otherCiProvenance(env: Env): Provenance | undefined {
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

export interface DefaultName {
  name: string;
  /** Set when the name had to be shortened: the caller warns, in its own terms (src/app/prepare.ts). */
  shortened?: true;
}

const TAG_REF_PREFIX = 'refs/tags/';
const SHORT_SHA_LENGTH = 7;
/** The least of the file name we keep when a long tag squeezes it. */
const MIN_FILE_PART = 16;
/** Long enough for `.bin`, `.tar.gz`-like endings; longer "extensions" are just part of the name. */
const MAX_KEPT_EXTENSION = 10;

/**
 * `firmware.bin` + tag `v1.2.3` → `firmware.bin@v1.2.3`; off a tag, the short commit SHA instead;
 * neither known → the file name alone. Stable across re-runs (no run id, attempt or time) so a
 * re-run finds its own earlier upload.
 */
export function defaultName(fileName: string, provenance: Provenance): DefaultName {
  const file = safeName(basename(fileName));
  const version = versionOf(provenance);
  const full = version === undefined ? file : `${file}@${version}`;
  if (full.length <= MAX_NAME_LENGTH) return { name: full };
  // Too long: cut the file-name part first; a tag is only cut when it alone would crowd the file out.
  const suffix = version === undefined ? '' : `@${version.slice(0, MAX_NAME_LENGTH - MIN_FILE_PART - 1)}`;
  const name = shortenKeepingExtension(file, MAX_NAME_LENGTH - suffix.length) + suffix;
  return { name, shortened: true };
}

/** One line of provenance: repository, commit, tag, who, and a link to the workflow run. */
export function defaultDescription(provenance: Provenance): string {
  const { repository, sha, serverUrl, runId, workflow, actor } = provenance;
  const parts = ['Published'];
  if (repository) parts.push(`from ${repository}`);
  if (sha) parts.push(`at commit ${sha}`);
  const tag = tagOf(provenance.ref);
  if (tag) parts.push(`(tag ${tag})`);
  if (workflow) parts.push(`by workflow "${workflow}"`);
  if (actor) parts.push(`for ${actor}`);
  let line = `${parts.join(' ')}.`;
  if (serverUrl && repository && runId !== undefined) {
    line += ` Run: ${serverUrl.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`;
  }
  return line.length <= MAX_DESCRIPTION_LENGTH ? line : `${line.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…`;
}

function versionOf(provenance: Provenance): string | undefined {
  const tag = tagOf(provenance.ref);
  if (tag) return safeName(tag);
  const sha = provenance.sha?.trim().toLowerCase();
  if (sha && /^[0-9a-f]+$/.test(sha)) return sha.slice(0, SHORT_SHA_LENGTH);
  return undefined;
}

function tagOf(ref: string | undefined): string | undefined {
  return ref?.startsWith(TAG_REF_PREFIX) ? ref.slice(TAG_REF_PREFIX.length) || undefined : undefined;
}

/** Letters, digits and `._+-`; any other run of characters becomes one `_`. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._+-]+/g, '_');
}

function shortenKeepingExtension(file: string, maxLength: number): string {
  if (file.length <= maxLength) return file;
  const extension = extname(file);
  const kept = extension.length <= MAX_KEPT_EXTENSION ? extension : '';
  return file.slice(0, maxLength - kept.length - 1) + '~' + kept;
}
