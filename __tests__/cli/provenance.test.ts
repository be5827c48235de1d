import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { cliProvenance, provenanceFromGit } from '../../src/cli/provenance.js';
import { runnerContext } from '../../src/github-context.js';
import { provenanceFromCiEnv } from '../../src/inputs/provenance.js';
import { defaultName } from '../../src/inputs/index.js';
import { withRunnerEnv } from '../support/runner-env.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
/** Off GitHub the runner's context is never asked for. */
const notOnGitHub = () => {
  throw new Error('the GitHub context was read off GitHub');
};

describe('provenance from CI variables', () => {
  it("GitHub Actions: the runner's context, as the action reads it", () => {
    const vars = {
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/tags/v1.2.3',
      GITHUB_REPOSITORY: 'acme/fw',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '42',
    };
    const provenance = withRunnerEnv(vars, () => provenanceFromCiEnv(vars, runnerContext));
    expect(provenance).toEqual({
      sha: SHA,
      ref: 'refs/tags/v1.2.3',
      repository: 'acme/fw',
      serverUrl: 'https://github.com',
      runId: 42,
    });
    expect(defaultName('fw.bin', provenance!).name).toBe('fw.bin@v1.2.3');
  });

  it('GitLab CI: a tag pipeline names the tag, a branch pipeline the short commit', () => {
    const tagged = provenanceFromCiEnv(
      {
        CI_COMMIT_SHA: SHA,
        CI_COMMIT_TAG: 'v2.0.0',
        CI_PROJECT_PATH: 'acme/fw',
      },
      notOnGitHub,
    );
    expect(tagged).toEqual({ sha: SHA, ref: 'refs/tags/v2.0.0', repository: 'acme/fw' });
    expect(defaultName('fw.bin', tagged!).name).toBe('fw.bin@v2.0.0');
    const branch = provenanceFromCiEnv({ CI_COMMIT_SHA: SHA, CI_COMMIT_BRANCH: 'main' }, notOnGitHub);
    expect(defaultName('fw.bin', branch!).name).toBe('fw.bin@0123456');
  });

  it('Jenkins: GIT_COMMIT and TAG_NAME', () => {
    const provenance = provenanceFromCiEnv(
      { GIT_COMMIT: SHA, TAG_NAME: 'v3.1.0', JOB_NAME: 'firmware' },
      notOnGitHub,
    );
    expect(provenance).toEqual({ sha: SHA, ref: 'refs/tags/v3.1.0', workflow: 'firmware' });
  });

  it('none outside CI', () => {
    expect(provenanceFromCiEnv({ HOME: '/home/me' }, notOnGitHub)).toBeUndefined();
  });
});

describe('provenance from git', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-provenance-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('reads the commit and the tag on it', async () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo })
        .toString()
        .trim();
    git('init', '-q');
    writeFileSync(path.join(repo, 'a.txt'), 'a');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'first');
    const sha = git('rev-parse', 'HEAD');
    expect(await provenanceFromGit(repo)).toEqual({ sha });
    git('tag', 'v0.9.0');
    expect(await cliProvenance({}, repo)).toEqual({ sha, ref: 'refs/tags/v0.9.0' });
    // CI variables win over the checkout.
    expect(await cliProvenance({ GIT_COMMIT: SHA }, repo)).toEqual({ sha: SHA });
    // GITHUB_SHA alone, without the runner's context (no runner), reads nothing of this process's env.
    expect(await cliProvenance({ GITHUB_SHA: SHA }, repo)).toEqual({ sha, ref: 'refs/tags/v0.9.0' });
  });

  it('is empty, not an error, outside a repository', async () => {
    expect(await provenanceFromGit(tempDir())).toEqual({});
  });
});
