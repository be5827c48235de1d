// The repository's documents point at what exists: the README's badges and Development section name
// every workflow, and no relative link in the top-level documents leads nowhere.
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { unreleasedNotes } from '../../scripts/lib/release-plan.js';

const read = (file: string) => readFile(join(PROJECT_ROOT, file), 'utf8');
const DOCUMENTS = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', 'docs/design.md'];

describe('README', () => {
  it('opens with the CI badge, and its Development section links every workflow and document', async () => {
    const readme = await read('README.md');
    const top = readme.split('\n').slice(0, 6).join('\n');
    expect(top).toContain('actions/workflows/ci.yml/badge.svg');
    const development = readme.slice(readme.indexOf('## Development'));
    const workflows = await readdir(join(PROJECT_ROOT, '.github', 'workflows'));
    expect(workflows.length).toBeGreaterThan(0);
    for (const workflow of workflows) expect(development).toContain(`(.github/workflows/${workflow})`);
    for (const document of ['CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', '.github/dependabot.yml']) {
      expect(development).toContain(`(${document})`);
    }
  });
});

describe('relative links', () => {
  it.each(DOCUMENTS)('%s links only to files that exist', async (document) => {
    const text = await read(document);
    const targets = [...text.matchAll(/\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
    const missing = targets.filter((t) => !existsSync(join(PROJECT_ROOT, dirname(document), t)));
    expect(missing).toEqual([]);
  });
});

describe('CHANGELOG.md', () => {
  it('is in Keep a Changelog form: Unreleased on top, then versions with dates, newest first', async () => {
    const changelog = await read('CHANGELOG.md');
    expect(changelog).toMatch(/keepachangelog\.com/);
    expect(() => unreleasedNotes(changelog)).not.toThrow();
    const headings = [...changelog.matchAll(/^## (.*)$/gm)].map((m) => m[1]!);
    expect(headings[0]).toBe('[Unreleased]');
    const versions = headings.slice(1).map((h) => /^\[?(\d+)\.(\d+)\.(\d+)\]? - \d{4}-\d{2}-\d{2}$/.exec(h));
    expect(versions.every(Boolean)).toBe(true);
    const numbers = versions.map((m) => m!.slice(1, 4).map(Number));
    const sorted = [...numbers].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]! || b[2]! - a[2]!);
    expect(numbers).toEqual(sorted);
    expect(headings.at(-1)).toMatch(/^\[?0\.1\.0\]? - /); // the history starts at 0.1.0
  });
});
