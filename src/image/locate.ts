import { create } from '@actions/glob';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImagePathError } from './errors.js';

/** The one file an `image-path` names. */
export interface LocatedImage {
  path: string;
  size: number;
}

const LISTED_MATCHES = 10;

/**
 * Resolves a path or glob (relative to the working directory) to exactly one non-empty regular file.
 * An existing literal path wins, so a file name with glob characters in it (`fw[1].bin`) still works.
 */
export async function locateImage(pattern: string): Promise<LocatedImage> {
  const literal = resolve(pattern);
  const matches = (await isPresent(literal)) ? [literal] : await globMatches(pattern);
  if (matches.length === 0) {
    throw new ImagePathError(
      `'${pattern}' matches no file; check the path and that the build step ran first.`,
    );
  }
  if (matches.length > 1) {
    const listed = matches.slice(0, LISTED_MATCHES).join(', ');
    const more = matches.length > LISTED_MATCHES ? ` and ${matches.length - LISTED_MATCHES} more` : '';
    throw new ImagePathError(
      `'${pattern}' matches ${matches.length} files (${listed}${more}); make the pattern match exactly one.`,
    );
  }
  const path = matches[0] as string;
  const info = await stat(path);
  if (info.isDirectory()) {
    throw new ImagePathError(`'${path}' is a directory; name the firmware file inside it.`);
  }
  if (!info.isFile()) throw new ImagePathError(`'${path}' is not a regular file.`);
  if (info.size === 0) {
    throw new ImagePathError(
      `'${path}' is empty; the service refuses an empty image. Check the build output.`,
    );
  }
  return { path, size: info.size };
}

async function isPresent(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function globMatches(pattern: string): Promise<string[]> {
  // @actions/glob refuses `.` and `..` segments: resolve them first (`../out/*.bin` is a fine pattern).
  // A negated or multi-line pattern is the library's syntax, left as it is.
  const absolute = pattern.startsWith('!') || /[\r\n]/.test(pattern) ? pattern : resolve(pattern);
  try {
    // implicitDescendants off: `build/` must be reported as a directory, not expand to every file in it.
    const globber = await create(absolute, { implicitDescendants: false, matchDirectories: true });
    return (await globber.glob()).sort();
  } catch (error) {
    throw new ImagePathError(
      `'${pattern}' is not a usable path or glob (${(error as Error).message}); give the path of the ` +
        'firmware file, or a glob such as build/*.bin.',
    );
  }
}
