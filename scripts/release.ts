// `npm run release -- <X.Y.Z | major | minor | patch> [--dry-run] [--date YYYY-MM-DD]`
//   Prepares a release in this clone: sets the version in package.json, package-lock.json and the
//   User-Agent (src/client/user-agent.ts), moves CHANGELOG.md's Unreleased notes under it, updates the
//   README's and examples' `@vX` pins when the major changes, rebuilds dist/ (the bundle carries the
//   version), commits "Release vX.Y.Z" and makes the annotated tag vX.Y.Z. Pushing stays with you.
//   --dry-run prints every change, the commit and the tag, and changes nothing; it exits 1 when a real
//   run would refuse.
// `npm run release -- --check-tag vX.Y.Z`: release.yml's check that a tag is vX.Y.Z and that every
//   place the version is stated says X.Y.Z.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describeChange,
  nextVersion,
  parseVersion,
  pinnedMajor,
  releaseChangelog,
  setClientVersion,
  setPackageVersion,
  setPinnedMajor,
  unreleasedNotes,
} from './lib/release-plan.js';

const git = (root: string, ...args: string[]) =>
  execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function gitSucceeds(root: string, ...args: string[]): boolean {
  try {
    git(root, ...args);
    return true;
  } catch {
    return false;
  }
}

function pinFiles(root: string): string[] {
  const examples = readdirSync(join(root, 'examples')).filter((f) => /\.ya?ml$/.test(f));
  return ['README.md', ...examples.map((f) => `examples/${f}`)];
}

interface Plan {
  version: string;
  tag: string;
  changes: Map<string, { before: string; after: string }>;
  refusals: string[];
}

function plan(root: string, wanted: string, date: string): Plan {
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const current = (JSON.parse(read('package.json')) as { version: string }).version;
  const version = nextVersion(current, wanted);
  const tag = `v${version}`;
  const refusals: string[] = [];
  const changes = new Map<string, { before: string; after: string }>();
  const change = (file: string, edit: (text: string) => string) => {
    const before = read(file);
    const after = edit(before);
    if (after !== before) changes.set(file, { before, after });
  };

  if (git(root, 'status', '--porcelain'))
    refusals.push('the work tree has uncommitted changes: commit or stash them');
  if (gitSucceeds(root, 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}`))
    refusals.push(`the tag ${tag} exists`);
  const changelog = read('CHANGELOG.md');
  if (!unreleasedNotes(changelog)) {
    refusals.push("CHANGELOG.md's Unreleased section is empty: write down what this release changes");
  }

  change('package.json', (t) => setPackageVersion(t, version));
  change('package-lock.json', (t) => setPackageVersion(t, version));
  change('src/client/user-agent.ts', (t) => setClientVersion(t, version));
  const previousTag = `v${current}`;
  change('CHANGELOG.md', (t) =>
    releaseChangelog(
      t,
      version,
      date,
      gitSucceeds(root, 'rev-parse', '--verify', '--quiet', `refs/tags/${previousTag}`)
        ? previousTag
        : undefined,
    ),
  );
  // Users pin the major tag; from 1.0.0 on, the pins follow it (0.x has no stable major to promise).
  const [major] = parseVersion(version);
  for (const file of pinFiles(root)) {
    const pinned = pinnedMajor(read(file));
    if (major >= 1 && pinned !== undefined && pinned !== major) change(file, (t) => setPinnedMajor(t, major));
  }
  return { version, tag, changes, refusals };
}

function printPlan(p: Plan, dryRun: boolean): void {
  const would = dryRun ? 'would ' : '';
  console.log(`release ${p.tag}${dryRun ? ' (dry run: nothing is changed)' : ''}`);
  for (const [file, { before, after }] of p.changes) {
    console.log(`\n${would}change ${file}:`);
    for (const line of describeChange(before, after)) console.log(line);
  }
  console.log(`\n${would}run: npm run bundle (dist/ carries the version)`);
  console.log(`${would}commit: Release ${p.tag}`);
  console.log(`${would}tag: ${p.tag} (annotated)`);
}

function checkTag(root: string, tag: string): string[] {
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!m) return [`the tag '${tag}' is not vX.Y.Z`];
  const version = m[1]!;
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const problems: string[] = [];
  for (const file of ['package.json', 'package-lock.json']) {
    const stated = (JSON.parse(read(file)) as { version: string }).version;
    if (stated !== version) problems.push(`${file} says ${stated}, the tag ${tag}`);
  }
  if (!read('src/client/user-agent.ts').includes(`CLIENT_VERSION = '${version}'`)) {
    problems.push(`src/client/user-agent.ts's CLIENT_VERSION is not ${version}`);
  }
  if (!read('CHANGELOG.md').includes(`## [${version}]`))
    problems.push(`CHANGELOG.md has no section for ${version}`);
  return problems;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      date: { type: 'string' },
      'check-tag': { type: 'string' },
    },
  });
  const root = git(process.cwd(), 'rev-parse', '--show-toplevel');
  if (values['check-tag'] !== undefined) {
    const problems = checkTag(root, values['check-tag']);
    for (const problem of problems) console.error(problem);
    if (problems.length === 0) console.log(`${values['check-tag']}: every stated version agrees`);
    return problems.length === 0 ? 0 : 1;
  }
  const [wanted] = positionals;
  if (!wanted || positionals.length > 1) {
    console.error(
      'usage: npm run release -- <X.Y.Z | major | minor | patch> [--dry-run] [--date YYYY-MM-DD]',
    );
    return 2;
  }
  const date = values.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    console.error(`--date '${date}' is not YYYY-MM-DD`);
    return 2;
  }
  let p: Plan;
  try {
    p = plan(root, wanted, date);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const dryRun = values['dry-run'];
  printPlan(p, dryRun);
  for (const refusal of p.refusals)
    console.error(`${dryRun ? 'a real run would refuse' : 'refused'}: ${refusal}`);
  if (p.refusals.length > 0 || dryRun) return p.refusals.length > 0 ? 1 : 0;

  for (const [file, { after }] of p.changes) writeFileSync(join(root, file), after);
  execFileSync('npm', ['run', '-s', 'bundle'], { cwd: root, stdio: 'inherit' });
  git(root, 'add', '--all', '--', ...p.changes.keys(), 'dist');
  git(root, 'commit', '--quiet', '-m', `Release ${p.tag}`);
  git(root, 'tag', '--annotate', p.tag, '-m', p.tag);
  console.log(`\ncommitted and tagged ${p.tag}. Next: git push origin HEAD ${p.tag}, then publish a GitHub`);
  console.log(`release from ${p.tag}: release.yml checks it and moves the major and minor tags to it.`);
  return 0;
}

process.exitCode = main();
