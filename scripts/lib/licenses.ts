// Reads the licenses.txt that `ncc build --license licenses.txt` writes next to each bundle, and checks
// every bundled package's licence against an allow-list. ncc writes one entry per package:
//   <package name>\n<SPDX licence expression>\n<licence text>\n\n
// so an entry starts at the first line, or after a blank line, with a name line then an expression line.

/** Licences whose terms a bundled dependency may carry: permissive, no copyleft, no field-of-use limits. */
export const ALLOWED_LICENSES = [
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
] as const;

export interface BundledPackage {
  name: string;
  license: string;
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;
const LICENSE_ID = /[A-Za-z0-9][\w.+-]*/;
const EXPRESSION = new RegExp(
  `^\\(?${LICENSE_ID.source}(\\s+(OR|AND|WITH)\\s+\\(?${LICENSE_ID.source}\\)?)*\\)?$`,
);

export function parseLicenses(text: string): BundledPackage[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const packages: BundledPackage[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const [name = '', license = ''] = [lines[i]?.trim(), lines[i + 1]?.trim()];
    const startsEntry = i === 0 || lines[i - 1]?.trim() === '';
    if (startsEntry && PACKAGE_NAME.test(name) && EXPRESSION.test(license)) {
      packages.push({ name, license });
      i++;
    }
  }
  return packages;
}

/**
 * Whether an SPDX expression is allowed: `A OR B` when either side is, `A AND B` when both are. `WITH`
 * (a licence exception) is never allowed: an exception changes the terms, so it needs a person's review.
 */
export function licenseAllowed(expression: string, allowed: readonly string[] = ALLOWED_LICENSES): boolean {
  const plain = expression.replace(/[()]/g, ' ').trim();
  if (/\bWITH\b/.test(plain)) return false;
  return plain
    .split(/\s+OR\s+/)
    .some((alternative) => alternative.split(/\s+AND\s+/).every((id) => allowed.includes(id.trim())));
}

/** Problems with one licenses.txt: a licence outside the list, or no entries at all (a changed format). */
export function checkLicenses(
  text: string,
  file: string,
  allowed: readonly string[] = ALLOWED_LICENSES,
): string[] {
  const packages = parseLicenses(text);
  if (packages.length === 0)
    return [`${file}: no package entries found (has ncc's licenses.txt format changed?)`];
  return packages
    .filter((p) => !licenseAllowed(p.license, allowed))
    .map(
      (p) =>
        `${file}: ${p.name} is licensed ${p.license}, which is not in the allow-list (${allowed.join(', ')})`,
    );
}
