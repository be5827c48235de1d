// publish() against the emulator over real HTTP on 127.0.0.1, with small chunks (the emulator's test-only
// minimum), a fake clock (backoff and Retry-After take no real time) and a settable stall timeout.
// Shared by the reliability tests and scripts/chaos.ts (no jest imports here).
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { UpdateServiceClient } from '../../src/client/client.js';
import { startEmulator, type Emulator, type EmulatorEvent } from '../../src/emulator/index.js';
import { planChunks } from '../../src/image/plan.js';
import { publish } from '../../src/uploader/publish.js';
import type { PublishRequest, PublishResult } from '../../src/uploader/types.js';
import { fakeClock, recordingLogger, type Run } from '../uploader/harness.js';

export const RIG_API_KEY = 'ak_reliability_rig_0123456789SECRET';
/** Chunks of 64 KiB: a three-chunk upload moves under 200 KiB. */
export const SMALL_CHUNK = 64 * 1024;

export interface RigPublishOptions {
  /** Stall timeout of the client (default 10 s). */
  requestTimeoutMs?: number;
  /** Jitter source for backoff (default 0.5). */
  random?: () => number;
  signal?: AbortSignal;
}

export interface Rig {
  emulator: Emulator;
  /** Writes `data` to a temp file and returns its path. */
  image(data: Buffer): Promise<string>;
  publish(
    request: Partial<PublishRequest> & { imagePath: string; name: string },
    options?: RigPublishOptions,
  ): Promise<PublishResult> & { run: Run };
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const emulator = await startEmulator({ apiKey: RIG_API_KEY, minChunkSizeForTests: SMALL_CHUNK });
  const dir = await mkdtemp(join(tmpdir(), 'reliability-rig-'));
  const agents: Agent[] = [];
  let files = 0;
  return {
    emulator,
    async image(data) {
      const path = join(dir, `image-${++files}.bin`);
      await writeFile(path, data);
      return path;
    },
    publish(request, options = {}) {
      const agent = new Agent({ connections: 1 });
      agents.push(agent);
      const run: Run = { events: [], logger: recordingLogger(), clock: fakeClock() };
      const client = new UpdateServiceClient({
        baseUrl: new URL(emulator.url),
        apiKey: RIG_API_KEY,
        dispatcher: agent,
        userAgent: 'reliability-test',
        requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
        signal: options.signal,
      });
      const promise = publish(
        { chunkSize: SMALL_CHUNK, onConflict: 'reuse', retries: 3, dryRun: false, ...request },
        {
          client,
          logger: run.logger,
          clock: run.clock,
          signal: options.signal,
          random: options.random ?? (() => 0.5),
          onEvent: (event) => void run.events.push(event),
        },
      ).finally(() => agent.close().catch(() => {}));
      return Object.assign(promise, { run });
    },
    async close() {
      await Promise.all(agents.map((agent) => agent.destroy()));
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface LocalChunk {
  length: number;
  md5Hex: string;
}

/** The chunks the uploader makes of `data`, with their MD5s: what the service must hold, in order. */
export function localChunks(data: Buffer, chunkSize = SMALL_CHUNK): LocalChunk[] {
  return planChunks(data.length, chunkSize).map(({ offset, length }) => ({
    length,
    md5Hex: createHash('md5')
      .update(data.subarray(offset, offset + length))
      .digest('hex'),
  }));
}

/**
 * What must hold after any run, successful or not, given the emulator's events since the name was first
 * used (seeding included). Returns the problems found (empty: all good):
 * - never two chunk POSTs in flight on a job (the emulator's concurrent-append events);
 * - no job ever stored more chunks than the file has, and none was deleted (nothing was ever sent
 *   twice or out of order, which would have made the uploader restart the job);
 * - an unfinished job holds exactly a prefix of the file's chunks (length and MD5);
 * - a firmware image under the name is byte-identical to the file.
 */
export async function checkInvariants(
  rig: Rig,
  name: string,
  data: Buffer,
  events: EmulatorEvent[],
): Promise<string[]> {
  const problems: string[] = [];
  const chunks = localChunks(data);
  const { state } = rig.emulator;
  const concurrent = events.filter((e) => e.type === 'concurrent-append');
  if (concurrent.length > 0) problems.push(`two chunk POSTs in flight: ${JSON.stringify(concurrent)}`);
  const jobs = state.uploadJobs().filter((job) => job.name === name);
  for (const event of events.filter((e) => e.type === 'job-deleted')) {
    problems.push(`upload job ${event.jobId} was deleted: its chunks did not match the file`);
  }
  for (const job of jobs) {
    const stored = events.filter((e) => e.type === 'chunk-stored' && e.jobId === job.id).length;
    if (stored > chunks.length) problems.push(`job ${job.id} stored ${stored} chunks of ${chunks.length}`);
    if (job.status === 'completed') continue;
    state.chunks(job.id).forEach((held, i) => {
      const local = chunks[i];
      if (!local || held.id !== i + 1 || held.length !== local.length || held.hash !== local.md5Hex) {
        problems.push(
          `job ${job.id} holds chunk ${held.id} (${held.length} bytes) that is not chunk ${i + 1}`,
        );
      }
    });
  }
  for (const image of state.firmwareImages().filter((i) => i.name === name)) {
    if (!(await state.imageBytes(image.id)).equals(data)) {
      problems.push(`firmware image ${image.id} differs from the local file`);
    }
  }
  return problems;
}
