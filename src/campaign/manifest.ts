// The manifest: read the file manifest-dev-tool made, find the one a previous run of this release uploaded,
// or upload it, reconciling a lost answer by name before anything is sent again.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_MANIFEST_FILE_NAME, MAX_MANIFEST_SIZE, type FirmwareManifest } from '../api/release.js';
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

/** What the service holds under the manifest name: ours (same size), or a different manifest. */
export async function lookUpManifest(ctx: CampaignContext, file: ManifestFile) {
  const name = ctx.request.manifestName;
  const named = await ctx.session.repeatable('list firmware manifests', () =>
    ctx.client.allManifests({ name__eq: name }),
  );
  const sameName = named.filter((m) => m.name === name);
  return { ours: sameName.find((m) => isOurs(m, file)), others: sameName.filter((m) => !isOurs(m, file)) };
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
  if (others.length > 0) throw manifestNameTaken(ctx, others[0]!, file);
  const known = new Set(others.map((m) => m.id));
  const { record, how } = await ctx.createOnce(
    `upload manifest "${name}"`,
    () =>
      ctx.client.createManifest({
        name,
        ...(ctx.request.description !== undefined && { description: ctx.request.description }),
        fileName: file.fileName,
        data: file.data,
      }),
    // The POST is not idempotent: a manifest with our name and size that was not there before is ours.
    () => lookUpManifest(ctx, file),
    known,
  );
  return { manifest: record, how };
}

function isOurs(manifest: FirmwareManifest, file: ManifestFile): boolean {
  return manifest.datafile_size === undefined || manifest.datafile_size === file.data.length;
}

/** Another manifest holds the name: a real run stops before anything is created, and a dry run says so. */
export function manifestNameTaken(
  ctx: CampaignContext,
  other: FirmwareManifest,
  file: ManifestFile,
): CampaignFailure {
  return new CampaignFailure(
    'precondition',
    `${ctx.request.dryRun ? 'dry run: a real run would fail: ' : ''}` +
      `a firmware manifest named "${other.name}" already exists (id ${other.id}, ${other.datafile_size} bytes) ` +
      `and is not this one (${file.data.length} bytes); nothing was created`,
    ctx.snapshot(),
    { hint: CAMPAIGN_HINTS.manifestNameTaken },
  );
}
