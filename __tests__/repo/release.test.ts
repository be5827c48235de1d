// `npm run release -- … --dry-run` in a fresh clone of this repository: it prints every change, the
// commit and the tag, and leaves the clone exactly as it was. `--check-tag` is release.yml's check.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const RELEASE = join(PROJECT_ROOT, 'scripts', 'release.ts');

let clone: string;
const git = (...args: string[]) => execFileSync('git', ['-C', clone, ...args], { encoding: 'utf8' }).trim();
/** The script as it is in this checkout, run inside the clone (its root is the git root of its cwd). */
const release = (...args: string[]) =>
  promisify(execFile)(TSX, [RELEASE, ...args], { cwd: clone }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
/** Everything a release could change: the files, the commits, the tags. */
const snapshot = () => ({
  status: git('status', '--porcelain', '--untracked-files=all'),
  head: git('rev-parse', 'HEAD'),
  tags: git('tag', '--list'),
});

beforeAll(async () => {
  clone = await mkdtemp(join(tmpdir(), 'release-clone-'));
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', PROJECT_ROOT, clone]);
  git('config', 'user.email', 'release-test@example.invalid');
  git('config', 'user.name', 'release test');
}, 60_000);

afterAll(async () => {
  await rm(clone, { recursive: true, force: true });
});

describe('npm run release -- --dry-run', () => {
  it('prints each change, the commit and the tag of a major release, and changes nothing', async () => {
    const before = snapshot();
    const version = (JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')) as { version: string })
      .version;
    const major = Number(version.split('.')[0]);
    const next = `${major + 2}.0.0`;
    const { code, stdout, stderr } = await release(next, '--dry-run', '--date', '2030-01-02');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`release v${next} (dry run: nothing is changed)`);
    expect(stdout).toContain(
      `would change package.json:\n  4: -   "version": "${version}",\n  4: +   "version": "${next}",`,
    );
    expect(stdout).toMatch(/would change package-lock\.json:\n(.*\n){4}/); // its two version fields
    expect(stdout).toContain(`+ export const CLIENT_VERSION = '${next}';`);
    expect(stdout).toContain(`would change CHANGELOG.md:`);
    expect(stdout).toContain(`+ ## [${next}] - 2030-01-02`);
    expect(stdout).toContain(
      `+ [${next}]: https://github.com/izuma/firmware-publish-action/releases/tag/v${next}`,
    );
    // The pins users copy move to the new major, in the README and every example.
    expect(stdout).toMatch(
      new RegExp(
        `would change README\\.md:\\n(.*\\n)*.*\\+ - uses: izuma/firmware-publish-action@v${next[0]}\\n`,
      ),
    );
    expect(stdout).toContain(`+ npx --yes github:izuma/firmware-publish-action#v${next[0]} publish`);
    expect(stdout).toMatch(/would change examples\/release\.yml:/);
    expect(stdout).toContain(`would run: npm run bundle`);
    expect(stdout).toContain(`would commit: Release v${next}`);
    expect(stdout).toContain(`would tag: v${next} (annotated)`);
    expect(snapshot()).toEqual(before);
  });

  it('says what a real run would refuse, and exits 1: an empty Unreleased section, a dirty tree', async () => {
    const changelog = join(clone, 'CHANGELOG.md');
    const text = await readFile(changelog, 'utf8');
    await writeFile(changelog, text.replace(/## \[Unreleased\]\n[\s\S]*?(?=\n## )/, '## [Unreleased]\n'));
    git('commit', '--quiet', '--all', '-m', 'empty the Unreleased section');
    await writeFile(join(clone, 'stray.txt'), 'not committed\n');
    const before = snapshot();
    const { code, stdout, stderr } = await release('patch', '--dry-run');
    expect(code).toBe(1);
    expect(stdout).toContain('would tag: v');
    expect(stderr).toContain("a real run would refuse: CHANGELOG.md's Unreleased section is empty");
    expect(stderr).toContain('a real run would refuse: the work tree has uncommitted changes');
    expect(snapshot()).toEqual(before);
    await rm(join(clone, 'stray.txt'));
  });

  it('refuses a version that is not after the current one, with usage errors as exit 2', async () => {
    expect(await release('0.0.1', '--dry-run')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/is not after the current version/),
    });
    expect(await release('--dry-run')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^usage: npm run release/),
    });
  });
});

describe('npm run release -- --check-tag (release.yml)', () => {
  it('fails a tag that package.json, the User-Agent and the changelog do not state', async () => {
    const { code, stderr } = await release('--check-tag', 'v9.9.9');
    expect(code).toBe(1);
    expect(stderr).toMatch(/package\.json says .*, the tag v9\.9\.9/);
    expect(stderr).toMatch(/CLIENT_VERSION is not 9\.9\.9/);
    expect(stderr).toMatch(/CHANGELOG\.md has no section for 9\.9\.9/);
    expect((await release('--check-tag', 'latest')).stderr).toMatch(/is not vX\.Y\.Z/);
  });
});

describe('scripts/move-release-tags.sh (release.yml)', () => {
  it('points vX and vX.Y at the release and pushes them; a later minor moves vX only', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'release-tags-'));
    const run = (cwd: string, cmd: string, ...args: string[]) =>
      execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    try {
      const origin = join(scratch, 'origin.git');
      const work = join(scratch, 'work');
      run(scratch, 'git', 'init', '--quiet', '--bare', origin);
      run(scratch, 'git', 'clone', '--quiet', origin, work);
      run(work, 'git', 'config', 'user.email', 'release-test@example.invalid');
      run(work, 'git', 'config', 'user.name', 'release test');
      const release = (tag: string) => {
        run(work, 'git', 'commit', '--quiet', '--allow-empty', '-m', tag);
        run(work, 'git', 'tag', '--annotate', tag, '-m', tag);
        run(work, 'git', 'push', '--quiet', 'origin', 'HEAD', tag);
        return run(work, 'git', 'rev-parse', 'HEAD');
      };
      const moveTags = (tag: string) =>
        run(work, 'bash', join(PROJECT_ROOT, 'scripts', 'move-release-tags.sh'), tag);
      const at = (ref: string) => run(origin, 'git', 'rev-parse', `${ref}^{commit}`);

      const first = release('v1.2.0');
      expect(moveTags('v1.2.0')).toBe(`moved v1 and v1.2 to v1.2.0 (${first})`);
      expect([at('v1'), at('v1.2')]).toEqual([first, first]);

      const second = release('v1.3.0');
      moveTags('v1.3.0');
      expect([at('v1'), at('v1.2'), at('v1.3')]).toEqual([second, first, second]);

      expect(() => moveTags('v1.3')).toThrow(/'v1\.3' is not vX\.Y\.Z/);
      expect(() => moveTags('v9.9.9')).toThrow(/there is no tag v9\.9\.9/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
