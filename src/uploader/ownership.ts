// One writer per upload job, first come first served. The API has no locks, so ownership is built from
// what it has: a name belongs to one job (create arbitrates between two runs), the job's description
// carries the owning run's token while it uploads, `updated_at` moves on every append and PUT, and every
// chunk's id counts the appends. The rule and its timing assumptions: docs/design.md, "One writer per job".
import { randomUUID } from 'node:crypto';
import type { UploadChunk, UploadJob } from '../api/types.js';
import { ServiceError } from '../client/index.js';
import { hint } from '../common/hint.js';
import type { ConflictPolicy } from '../inputs/index.js';
import { AnotherWriterError, UploadStateError } from './errors.js';
import { UPLOADER_HINTS } from './hints.js';
import { listHeldChunks } from './names.js';
import type { UploadSession } from './session.js';
import type { NameState } from './decide.js';

export interface OwnershipTimings {
  /** A job that has not moved (updated_at, chunks, description) for this long is abandoned. */
  staleAfterMs: number;
  /** How often a waiting run looks at the other run's job again. */
  pollMs: number;
  /** The longest a run waits for another run's upload before it fails. */
  maxWaitMs: number;
  /** Between claiming an abandoned job (PUT of our marker) and reading the claim back. */
  settleMs: number;
}

export const DEFAULT_OWNERSHIP_TIMINGS: OwnershipTimings = {
  staleAfterMs: 15 * 60_000,
  pollMs: 5_000,
  maxWaitMs: 60 * 60_000,
  settleMs: 3_000,
};

/** A long wait says where the other run stands this often. */
const PROGRESS_LOG_EVERY_MS = 60_000;

const MARKER_PREFIX = '[izuma-firmware-publish] ';
const OWNED = /^\[izuma-firmware-publish\] run ([0-9a-f-]{36}) is uploading (\d+) bytes/;
const RELEASED = /^\[izuma-firmware-publish\] released by run ([0-9a-f-]{36})/;

/** Who a job's description says is writing it. */
export type JobOwner =
  | { kind: 'run'; token: string; size: number }
  /** A run that stopped (failed or cancelled) said so: a re-run may take the job over at once. */
  | { kind: 'released'; token: string }
  /** No marker: a job in its last step (the user's description is back), or another client's. */
  | { kind: 'unmarked' };

export function newRunToken(): string {
  return randomUUID();
}

export function ownerMarker(token: string, size: number): string {
  return `${MARKER_PREFIX}run ${token} is uploading ${size} bytes; the description is set when it completes`;
}

export function releasedMarker(token: string): string {
  return `${MARKER_PREFIX}released by run ${token}; a re-run with the same name and file resumes it`;
}

export function jobOwner(job: UploadJob): JobOwner {
  const owned = OWNED.exec(job.description ?? '');
  if (owned) return { kind: 'run', token: owned[1]!, size: Number(owned[2]) };
  const released = RELEASED.exec(job.description ?? '');
  if (released) return { kind: 'released', token: released[1]! };
  return { kind: 'unmarked' };
}

/**
 * Tells live jobs from abandoned ones over one run: a job is abandoned when it was released, when its
 * updated_at is older than staleAfterMs by the wall clock, or when this run has watched it for
 * staleAfterMs without it moving (which needs no agreement between the clocks).
 */
export class JobWatch {
  private watched: { jobId: string; fingerprint: string; since: number } | undefined;
  private waitStartedAt: number | undefined;
  /** The job this run waits for, while it waits. */
  private waitingFor: string | undefined;
  private lastLoggedAt = 0;

  constructor(
    private readonly session: UploadSession,
    readonly timings: OwnershipTimings,
  ) {}

  /**
   * Whether the name's unfinished job is another run's live one. Only on-conflict reuse asks (it may wait
   * for that run); the dry run and the real run decide on this one answer.
   */
  holdsLiveJob(state: NameState, onConflict: ConflictPolicy): boolean {
    const job = state.unfinishedJob;
    return job !== undefined && onConflict === 'reuse' && this.isLive(job, state.heldChunks);
  }

  isLive(job: UploadJob, heldChunks: UploadChunk[]): boolean {
    if (jobOwner(job).kind === 'released') return false;
    const now = this.session.clock.now();
    const fingerprint = `${job.updated_at}|${heldChunks.length}|${job.description}`;
    if (this.watched?.jobId !== job.id || this.watched.fingerprint !== fingerprint) {
      this.watched = { jobId: job.id, fingerprint, since: now };
    }
    const updatedAt = Date.parse(job.updated_at);
    const age = Number.isNaN(updatedAt) ? 0 : this.session.wallClockMs() - updatedAt;
    return age < this.timings.staleAfterMs && now - this.watched.since < this.timings.staleAfterMs;
  }

  /** How long this run has waited so far (0 before the first wait). */
  waitedMs(): number {
    return this.waitStartedAt === undefined ? 0 : this.session.clock.now() - this.waitStartedAt;
  }

  /** One poll interval of waiting for the run writing `job`; throws once the wait is over its bound. */
  async wait(job: UploadJob, heldChunks: UploadChunk[], chunkCount: number): Promise<void> {
    const { logger, clock } = this.session;
    const first = this.waitStartedAt === undefined;
    this.waitStartedAt ??= clock.now();
    this.waitingFor = job.id;
    const waited = this.waitedMs();
    const progress = `${heldChunks.length} of ${chunkCount} chunks`;
    if (first) {
      this.lastLoggedAt = clock.now();
      logger.info(
        `upload job ${job.id} ("${job.name}") is being written by another run (${progress} so far); ` +
          `waiting for it to finish (at most ${minutes(this.timings.maxWaitMs)})`,
      );
    } else if (clock.now() - this.lastLoggedAt >= PROGRESS_LOG_EVERY_MS) {
      this.lastLoggedAt = clock.now();
      logger.info(`still waiting for upload job ${job.id} after ${seconds(waited)}: ${progress}`);
    }
    this.session.emit({ type: 'waiting', jobId: job.id, chunksHeld: heldChunks.length, waitedMs: waited });
    if (waited >= this.timings.maxWaitMs) {
      this.ended('gave up');
      const bound = minutes(this.timings.maxWaitMs);
      throw new UploadStateError(
        hint`another run has been uploading under "${job.name}" (upload job ${job.id}, ${progress}) for the ${bound} this run waits at most; it did not finish: run again later, or ${UPLOADER_HINTS.oneRunAtATime}`,
      );
    }
    try {
      await clock.sleep(this.timings.pollMs, this.session.signal);
    } catch (error) {
      this.ended('cancelled');
      throw error;
    }
  }

  /** Ends a wait (if one began): the log and the summary say how long and how it ended. */
  ended(outcome: WaitOutcome): void {
    const jobId = this.waitingFor;
    if (this.waitStartedAt === undefined || jobId === undefined) return;
    const waitedMs = this.waitedMs();
    this.waitStartedAt = undefined;
    this.waitingFor = undefined;
    this.session.logger.info(
      `waited ${seconds(waitedMs)} for the other run's upload job ${jobId}: ${WAIT_OUTCOMES[outcome]}`,
    );
    this.session.emit({ type: 'waited', jobId, waitedMs, outcome });
  }
}

export type WaitOutcome = 'completed' | 'abandoned' | 'gone' | 'different-content' | 'cancelled' | 'gave up';

export const WAIT_OUTCOMES: Record<WaitOutcome, string> = {
  completed: 'it completed',
  abandoned: 'it stopped moving (abandoned), so this run took the name over',
  gone: 'its job went away, so this run took the name over',
  'different-content': 'it turned out to upload different content',
  cancelled: 'this run was cancelled',
  'gave up': 'it did not finish in time',
};

/**
 * Takes over an abandoned or released job: our marker goes in, and after settleMs it must still be ours
 * (two runs that claim at once: the later PUT wins, the earlier claimant sees it and backs off). Returns
 * the job's chunks as they are after the claim, or undefined when another run holds the job now.
 */
export async function claimJob(
  session: UploadSession,
  job: UploadJob,
  size: number,
  timings: OwnershipTimings,
): Promise<UploadChunk[] | undefined> {
  const marker = ownerMarker(session.runToken, size);
  await session.repeatable(`claim upload job ${job.id}`, () =>
    session.client.updateUploadJob(job.id, { description: marker }),
  );
  await session.clock.sleep(timings.settleMs, session.signal);
  const now = await session.repeatable(`get upload job ${job.id}`, () => session.client.getUploadJob(job.id));
  if (now.description !== marker) return undefined;
  return listHeldChunks(session, job.id);
}

/** Before completing: the job must still carry our marker (nobody took it over). */
export async function ensureStillOwned(session: UploadSession, jobId: string): Promise<void> {
  const job = await session.repeatable(`get upload job ${jobId}`, () => session.client.getUploadJob(jobId));
  const owner = jobOwner(job);
  if (owner.kind !== 'run' || owner.token !== session.runToken) {
    throw new AnotherWriterError(
      jobId,
      `its description no longer names this run (${owner.kind === 'run' ? `run ${owner.token}` : owner.kind} holds it)`,
    );
  }
}

/**
 * A run that stops without completing says so in its job, so that a re-run resumes at once instead of
 * waiting out staleAfterMs. Best effort, never twice the same failure: the job is only kept for a re-run.
 */
export async function releaseJob(session: UploadSession, jobId: string): Promise<void> {
  const client = session.signal?.aborted ? session.client.withoutSignal() : session.client;
  try {
    await client.updateUploadJob(jobId, { description: releasedMarker(session.runToken) });
  } catch (error) {
    const detail = error instanceof ServiceError ? error.detail : String(error);
    session.logger.info(
      `could not mark upload job ${jobId} as released (${detail}); a re-run waits until it looks abandoned`,
    );
  }
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
