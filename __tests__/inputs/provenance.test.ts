import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import {
  defaultDescription,
  defaultName,
  githubProvenance,
  type Provenance,
} from '../../src/inputs/index.js';
import { runnerContext } from '../../src/github-context.js';
import { withRunnerEnv } from '../support/runner-env.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const onTag: Provenance = { repository: 'acme/fw', sha: SHA, ref: 'refs/tags/v1.2.3' };
const onBranch: Provenance = { repository: 'acme/fw', sha: SHA, ref: 'refs/heads/main' };

describe('defaultName', () => {
  it('uses the tag when on one', () => {
    expect(defaultName('firmware.bin', onTag)).toEqual({ name: 'firmware.bin@v1.2.3' });
  });

  it('uses the short commit SHA off a tag', () => {
    expect(defaultName('firmware.bin', onBranch)).toEqual({ name: 'firmware.bin@0123456' });
  });

  it('is the file name alone when neither is known', () => {
    expect(defaultName('firmware.bin', {})).toEqual({ name: 'firmware.bin' });
  });

  it('uses the base name of a path', () => {
    expect(defaultName('build/out/firmware.bin', onTag).name).toBe('firmware.bin@v1.2.3');
  });

  it('is stable across re-runs: run id, attempt and actor do not matter', () => {
    const first = defaultName('fw.bin', { ...onBranch, runId: 1, runAttempt: 1, actor: 'a' });
    const again = defaultName('fw.bin', { ...onBranch, runId: 2, runAttempt: 3, actor: 'b' });
    expect(again).toEqual(first);
  });

  it('replaces odd characters', () => {
    expect(defaultName('my firmware (ü).bin', { ref: 'refs/tags/release/1.0 rc' }).name).toBe(
      'my_firmware_.bin@release_1.0_rc',
    );
  });

  it('shortens a long file name, keeping the tag and extension, and warns', () => {
    const result = defaultName(`${'a'.repeat(200)}.bin`, onTag);
    expect(result.name).toHaveLength(128);
    expect(result.name).toMatch(/^a+~\.bin@v1\.2\.3$/);
    expect(result.shortened).toBe(true);
  });

  it('stays within 128 characters even with a very long tag', () => {
    const result = defaultName('firmware.bin', { ref: `refs/tags/${'t'.repeat(300)}` });
    expect(result.name.length).toBeLessThanOrEqual(128);
    expect(result.name).toBe(`firmware.bin@${'t'.repeat(111)}`);
    expect(result.shortened).toBe(true);
  });
});

describe('defaultDescription', () => {
  it('names repository, commit, tag and links the run', () => {
    const text = defaultDescription({
      ...onTag,
      serverUrl: 'https://github.com',
      runId: 42,
      runAttempt: 2,
      workflow: 'release',
    });
    expect(text).toContain('acme/fw');
    expect(text).toContain(SHA);
    expect(text).toContain('v1.2.3');
    expect(text).toContain('https://github.com/acme/fw/actions/runs/42');
  });

  it('leaves the link out when the run is unknown', () => {
    const text = defaultDescription(onBranch);
    expect(text).not.toContain('actions/runs');
    expect(text).not.toContain('tag');
  });

  it('says something sensible with no provenance', () => {
    expect(defaultDescription({})).toBe('Published.');
  });

  it('stays within 2000 characters', () => {
    expect(defaultDescription({ repository: 'r'.repeat(3000) }).length).toBeLessThanOrEqual(2000);
  });
});

describe('githubProvenance', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'provenance-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));
  const RUN_ENV = {
    GITHUB_REPOSITORY: 'acme/widget',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/tags/v9.8.7',
    GITHUB_SERVER_URL: 'https://github.example.com',
    GITHUB_RUN_ID: '123456789',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_WORKFLOW: 'release firmware',
    GITHUB_ACTOR: 'octocat',
  };

  it("reads the run's facts through @actions/github's context", () => {
    expect(withRunnerEnv(RUN_ENV, () => githubProvenance(runnerContext()))).toEqual({
      repository: 'acme/widget',
      sha: SHA,
      ref: 'refs/tags/v9.8.7',
      serverUrl: 'https://github.example.com',
      runId: 123456789,
      runAttempt: 2,
      workflow: 'release firmware',
      actor: 'octocat',
    });
  });

  it('names no repository for a GITHUB_REPOSITORY without an owner/repo slash', () => {
    const provenance = withRunnerEnv({ GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme' }, () =>
      githubProvenance(runnerContext()),
    );
    expect(provenance.repository).toBeUndefined();
  });

  it('takes the repository from the event payload when GITHUB_REPOSITORY is not set', () => {
    const event = join(workspace, 'event.json');
    writeFileSync(event, JSON.stringify({ repository: { name: 'widget', owner: { login: 'acme' } } }));
    const provenance = withRunnerEnv({ GITHUB_SHA: SHA, GITHUB_EVENT_PATH: event }, () =>
      githubProvenance(runnerContext()),
    );
    expect(provenance.repository).toBe('acme/widget');
  });

  it('leaves out what the runner does not set (the server is GitHub unless told otherwise)', () => {
    const provenance = withRunnerEnv({ GITHUB_SHA: SHA, GITHUB_RUN_ID: '' }, () =>
      githubProvenance(runnerContext()),
    );
    expect(provenance).toEqual({ sha: SHA, serverUrl: 'https://github.com' });
    expect(defaultDescription(provenance)).not.toContain('Run:');
  });

  it("a missing event file prints nothing (stdout is the CLI's --json output) and costs only the payload", () => {
    const write = jest.spyOn(process.stdout, 'write');
    try {
      const missing = join(workspace, 'no-such-event.json\n::warning::injected');
      const provenance = withRunnerEnv({ GITHUB_SHA: SHA, GITHUB_EVENT_PATH: missing }, () =>
        githubProvenance(runnerContext()),
      );
      expect(write).not.toHaveBeenCalled();
      expect(provenance.sha).toBe(SHA);
    } finally {
      write.mockRestore();
    }
  });

  it.each([
    ['not JSON', (path: string) => writeFileSync(path, '{ not json')],
    ['a directory', (path: string) => mkdirSync(path)],
  ])('an event file that cannot be read (%s) costs only the payload, not the commit', (_, make) => {
    const event = join(workspace, `broken-event-${_.replace(/\W/g, '-')}`);
    make(event);
    const provenance = withRunnerEnv(
      {
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/tags/v1.0.0',
        GITHUB_REPOSITORY: 'acme/fw',
        GITHUB_EVENT_PATH: event,
      },
      () => githubProvenance(runnerContext()),
    );
    expect(provenance).toMatchObject({ sha: SHA, ref: 'refs/tags/v1.0.0', repository: 'acme/fw' });
    expect(defaultName('fw.bin', provenance).name).toBe('fw.bin@v1.0.0');
  });
});
