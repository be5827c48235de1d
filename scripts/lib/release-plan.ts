// What a release changes, computed without touching anything: the new version, each file's new text,
// and the reasons a release would be refused. scripts/release.ts prints or applies it.

export const REPOSITORY_URL = 'https://github.com/izuma/firmware-publish-action';

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(version: string): [number, number, number] {
  const m = SEMVER.exec(version);
  if (!m) throw new Error(`'${version}' is not a version X.Y.Z`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function nextVersion(current: string, wanted: string): string {
  const [major, minor, patch] = parseVersion(current);
  if (wanted === 'major') return `${major + 1}.0.0`;
  if (wanted === 'minor') return `${major}.${minor + 1}.0`;
  if (wanted === 'patch') return `${major}.${minor}.${patch + 1}`;
  const next = parseVersion(wanted.replace(/^v/, ''));
  const order = next.map((n, i) => n - [major, minor, patch][i]!).find((d) => d !== 0) ?? 0;
  if (order <= 0) throw new Error(`${wanted} is not after the current version ${current}`);
  return next.join('.');
}

export function setPackageVersion(json: string, version: string): string {
  const pkg = JSON.parse(json) as { version: string; packages?: Record<string, { version?: string }> };
  pkg.version = version;
  const root = pkg.packages?.[''];
  if (root) root.version = version; // package-lock.json repeats it for the root package
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export function setClientVersion(source: string, version: string): string {
  const pattern = /(export const CLIENT_VERSION = ')[^']*(';)/;
  if (!pattern.test(source)) throw new Error('src/client/user-agent.ts: CLIENT_VERSION not found');
  return source.replace(pattern, `$1${version}$2`);
}

/** The major tag the README tells users to pin, e.g. 1 for `@v1`; undefined when there is none. */
export function pinnedMajor(text: string): number | undefined {
  const m = /firmware-publish-action[@#]v(\d+)\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export function setPinnedMajor(text: string, major: number): string {
  return text.replace(/(firmware-publish-action[@#])v\d+\b(?![.\d])/g, `$1v${major}`);
}

/** The Unreleased section's body (between its heading and the next `## `), trimmed. */
export function unreleasedNotes(changelog: string): string {
  const m = /^## \[Unreleased\][^\n]*\n([\s\S]*?)(?=^## |^\[Unreleased\]:|(?![\s\S]))/m.exec(changelog);
  if (!m) throw new Error('CHANGELOG.md has no "## [Unreleased]" section');
  return (m[1] ?? '').trim();
}

/**
 * The Unreleased notes become the section of `version`; an empty Unreleased section stays on top; the
 * links at the bottom compare the new tag with the previous one (when that was tagged) and HEAD with it.
 */
export function releaseChangelog(
  changelog: string,
  version: string,
  date: string,
  previousTag: string | undefined,
): string {
  const notes = unreleasedNotes(changelog);
  let text = changelog.replace(
    /^## \[Unreleased\][^\n]*\n[\s\S]*?(?=^## |^\[Unreleased\]:|(?![\s\S]))/m,
    `## [Unreleased]\n\n## [${version}] - ${date}\n\n${notes}\n\n`,
  );
  const versionLink = previousTag
    ? `${REPOSITORY_URL}/compare/${previousTag}...v${version}`
    : `${REPOSITORY_URL}/releases/tag/v${version}`;
  text = text.replace(
    /^\[Unreleased\]: .*$/m,
    `[Unreleased]: ${REPOSITORY_URL}/compare/v${version}...HEAD\n[${version}]: ${versionLink}`,
  );
  return text;
}

/** The lines that differ, `-` old and `+` new with their line numbers: a review of the change, not a patch. */
export function describeChange(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const oldLines = a.slice(start, endA);
  const newLines = b.slice(start, endB);
  // Longest common subsequence of what is left (a few hundred lines at most: the edits are small).
  const lcs = Array.from({ length: oldLines.length + 1 }, () =>
    new Array<number>(newLines.length + 1).fill(0),
  );
  for (let i = oldLines.length - 1; i >= 0; i--) {
    for (let j = newLines.length - 1; j >= 0; j--) {
      lcs[i]![j] =
        oldLines[i] === newLines[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < oldLines.length || j < newLines.length) {
    if (i < oldLines.length && j < newLines.length && oldLines[i] === newLines[j]) {
      i++;
      j++;
    } else if (i < oldLines.length && (j === newLines.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`  ${start + i + 1}: - ${oldLines[i]}`);
      i++;
    } else {
      out.push(`  ${start + j + 1}: + ${newLines[j]}`);
      j++;
    }
  }
  return out;
}
