// The manifest: read the file manifest-dev-tool made, find the one a previous run of this release uploaded,
// or upload it, reconciling a lost answer by name before anything is sent again.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_MANIFEST_FILE_NAME, MAX_MANIFEST_SIZE, type FirmwareManifest } from '../api/release.js';
import { ServiceError } from '../client/index.js';
import { InputError } from '../inputs/index.js';
import type { CampaignContext } from './context.js';
import { CampaignFailure } from './errors.js';
import { CAMPAIGN_HINTS } from './hints.js';

export interface ManifestFile {
  path: string;
  fileName: string;
  data: Buffer;
}

/** The file, checked against the service's limits before anything is sent. */
export async function readManifestFile(path: string): Promise<ManifestFile> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new InputError(
        'manifest-path',
        `'${path}' is not a regular file; give the manifest file that \`manifest-dev-tool create\` wrote.`,
      );
    size = info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      'manifest-path',
      `cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); give the manifest file that \`manifest-dev-tool create\` wrote.`,
    );
  }
  if (size === 0)
    throw new InputError(
      'manifest-path',
      `'${path}' is empty; point it at the manifest that \`manifest-dev-tool create\` wrote.`,
    );
  if (size > MAX_MANIFEST_SIZE) {
    throw new InputError(
      'manifest-path',
      `'${path}' is ${size} bytes; the service accepts manifests of at most ${MAX_MANIFEST_SIZE} bytes (2 KB). Is it the manifest, not the image?`,
    );
  }
  const fileName = basename(path).slice(-MAX_MANIFEST_FILE_NAME);
  return { path, fileName, data: await readFile(path) };
}

/** A manifest under our name that is not this one, and why. */
export interface OtherManifest {
  manifest: FirmwareManifest;
  why: string;
}

/** What the service holds under the manifest name: ours (the same bytes), or other manifests. */
export async function lookUpManifest(
  ctx: CampaignContext,
  file: ManifestFile,
): Promise<{ ours?: FirmwareManifest; others: OtherManifest[] }> {
  const name = ctx.request.manifestName;
  const named = await ctx.session.repeatable('list firmware manifests', () =>
    ctx.client.allManifests({ name__eq: name }),
  );
  const others: OtherManifest[] = [];
  // Once ours is found the rest are not read: only a run without ours looks at the others.
  for (const manifest of named.filter((m) => m.name === name)) {
    const why = await differs(ctx, manifest, file);
    if (why === undefined) return { ours: manifest, others };
    others.push({ manifest, why });
  }
  return { others };
}

/**
 * Why a same-named manifest is not this file, or undefined when it is. Versions of a manifest are often
 * the same size, so only the stored bytes tell; they are read only when the size cannot rule it out.
 */
async function differs(
  ctx: CampaignContext,
  manifest: FirmwareManifest,
  file: ManifestFile,
): Promise<string | undefined> {
  const size = manifest.datafile_size;
  if (size !== undefined && size !== file.data.length)
    return `${size} bytes, this one ${file.data.length} bytes`;
  let stored: Buffer;
  try {
    stored = await ctx.session.repeatable(`read firmware manifest ${manifest.id}`, () =>
      ctx.client.readManifestDatafile(manifest),
    );
  } catch (error) {
    // Without a size nothing else tells it from ours, and taking it could roll out another release.
    if (size !== undefined || !(error instanceof ServiceError) || error.kind === 'aborted') throw error;
    return `it gives no size and its bytes could not be read (${error.message})`;
  }
  return stored.equals(file.data) ? undefined : `${stored.length} bytes like this one, but its bytes differ`;
}

/** The manifest of this release: found (a re-run), or uploaded now. */
export async function ensureManifest(
  ctx: CampaignContext,
  file: ManifestFile,
  /** What lookUpManifest found, when the caller has just looked. */
  found?: Awaited<ReturnType<typeof lookUpManifest>>,
): Promise<{ manifest: FirmwareManifest; how: 'created' | 'adopted' | 'found' }> {
  const name = ctx.request.manifestName;
  const { ours, others } = found ?? (await lookUpManifest(ctx, file));
  if (ours) return { manifest: ours, how: 'found' };
  if (others.length > 0) throw manifestNameTaken(ctx, others[0]!);
  // No other manifest held the name (that failed above): one with our bytes found after a lost answer is ours.
  const known = new Set<string>();
  const { record, how } = await ctx.createOnce(
    `upload manifest "${name}"`,
    () =>
      ctx.client.createManifest({
        name,
        ...(ctx.request.description !== undefined && { description: ctx.request.description }),
        fileName: file.fileName,
        data: file.data,
      }),
    // The POST is not idempotent: a manifest with our name and bytes that was not there before is ours.
    () => lookUpManifest(ctx, file),
    known,
  );
  return { manifest: record, how };
}

/** Another manifest holds the name: a real run stops before anything is created, and a dry run says so. */
export function manifestNameTaken(ctx: CampaignContext, { manifest, why }: OtherManifest): CampaignFailure {
  return new CampaignFailure(
    'precondition',
    `${ctx.request.dryRun ? 'dry run: a real run would fail: ' : ''}` +
      `a firmware manifest named "${manifest.name}" already exists (id ${manifest.id}) and is not this one ` +
      `(${why}); nothing was created`,
    ctx.snapshot(),
    { hint: CAMPAIGN_HINTS.manifestNameTaken },
  );
}
