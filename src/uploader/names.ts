// Looking a name up on the service, and finding the next free `<name>-N` for on-conflict `suffix`.
import { MAX_NAME_LENGTH, isJobComplete } from '../api/types.js';
import { isNameFree, type NameState } from './decide.js';
import type { UploadSession } from './session.js';

/** Images and upload jobs named exactly `name`, and the held chunks of an unfinished job among them. */
export async function lookUpName(session: UploadSession, name: string): Promise<NameState> {
  const { client } = session;
  const filter = { name__eq: name };
  const listImages = async () =>
    (await session.repeatable('list firmware images', () => client.allFirmwareImages(filter))).filter(
      (image) => image.name === name,
    );
  const listJobs = async () =>
    (await session.repeatable('list upload jobs', () => client.allUploadJobs(filter))).filter(
      (job) => job.name === name,
    );
  // Both at once: one round trip. The two reads are independent; the re-list below covers the race.
  const [listed, jobs] = await Promise.all([listImages(), listJobs()]);
  let images = listed;
  // A job that completed while the lists ran: its image exists now, though the image list missed it.
  if (images.length === 0 && jobs.some(isJobComplete)) images = await listImages();
  const unfinishedJob = jobs.find((job) => !isJobComplete(job));
  const heldChunks = unfinishedJob ? await listHeldChunks(session, unfinishedJob.id) : [];
  // The chunk list empties when a job completes: an empty one may be a job completed after the job list
  // (which would then look like a live job that holds nothing yet). Read it once more to tell.
  if (unfinishedJob && heldChunks.length === 0) {
    const now = await session.repeatable(`get upload job ${unfinishedJob.id}`, () =>
      client.getUploadJob(unfinishedJob.id),
    );
    if (isJobComplete(now)) return lookUpName(session, name);
  }
  return { name, images, jobs, unfinishedJob, heldChunks };
}

export async function listHeldChunks(session: UploadSession, jobId: string) {
  const chunks = await session.repeatable(`list chunks of upload job ${jobId}`, () =>
    session.client.allChunks(jobId),
  );
  return [...chunks].sort((a, b) => a.id - b.id);
}

/** `<base>-<n>`, with the base shortened so the whole stays within the service's name limit. */
export function suffixedName(base: string, n: number): string {
  const suffix = `-${n}`;
  let kept = base.slice(0, MAX_NAME_LENGTH - suffix.length);
  // Never leave half of a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return kept + suffix;
}

const MAX_SUFFIX = 1000;

/** The first of `<base>-2`, `<base>-3`, … that no firmware image and no upload job uses. */
export async function findFreeName(session: UploadSession, base: string): Promise<string> {
  for (let n = 2; n <= MAX_SUFFIX; n++) {
    const candidate = suffixedName(base, n);
    if (isNameFree(await lookUpName(session, candidate))) return candidate;
  }
  throw new Error(
    `on-conflict \`suffix\`: "${base}-2" to "${base}-${MAX_SUFFIX}" are all taken; choose another name`,
  );
}
