// publish() against the emulator over real HTTP on 127.0.0.1: a client per run, temp image files, a clock
// whose sleeps resolve at once (backoff and Retry-After take no real time), a logger that keeps its lines.
// The uploader tests use it as is; the reliability rig (rig.ts) with small chunks. No jest imports here:
// the chaos runner (support/chaos-cli.ts, `npm run chaos`) uses it too.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { UpdateServiceClient } from '../../src/client/client.js';
import { systemClock, type Clock } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { publish } from '../../src/uploader/publish.js';
import type {
  OwnershipTimings,
  PublishRequest,
  PublishResult,
  UploadEvent,
} from '../../src/uploader/types.js';
import { MiB } from '../../src/common/bytes.js';

export const API_KEY = 'ak_uploader_test_0123456789SECRET';
export const CHUNK = 5 * MiB;

/** Sleeps resolve at once (still honouring the signal), and time advances by what was slept. */
export function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      slept.push(ms);
      now += ms;
    },
  };
}

/**
 * Real time, sleeps recorded: for runs that overlap, where one run's wait must last while the other one
 * really moves (with short OwnershipTimings, e.g. CONCURRENT_TIMINGS).
 */
export function realClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: systemClock.now,
    sleep: (ms, signal) => {
      slept.push(ms);
      return systemClock.sleep(ms, signal);
    },
  };
}

/**
 * Time `scale` times faster than real time, for every sleep and reading: two runs that overlap keep their
 * real order while the uploader's default timings (15 min stale, 5 s polls, Retry-After) pass quickly.
 */
export function scaledClock(scale: number): Clock & { slept: number[] } {
  const slept: number[] = [];
  const start = performance.now();
  return {
    slept,
    now: () => (performance.now() - start) * scale,
    sleep: (ms, signal) => {
      slept.push(ms);
      return systemClock.sleep(ms / scale, signal);
    },
  };
}

/** Polls every 10 ms, settles a claim in 20 ms; a job is abandoned after 20 s still (never in a test). */
export const CONCURRENT_TIMINGS: OwnershipTimings = {
  pollMs: 10,
  settleMs: 20,
  staleAfterMs: 20_000,
  maxWaitMs: 60_000,
};

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warning: log('warning'),
    error: log('error'),
    group: (_title, fn) => fn(),
  };
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Run {
  events: UploadEvent[];
  logger: ReturnType<typeof recordingLogger>;
  clock: Clock & { slept: number[] };
}

export interface HarnessPublishOptions {
  apiKey?: string;
  signal?: AbortSignal;
  onEvent?: (e: UploadEvent) => void;
  /** Another loopback server in front of the emulator. */
  baseUrl?: string;
  /** Stall timeout of the client (default 10 s). */
  requestTimeoutMs?: number;
  /** Jitter source for backoff (default 0.5). */
  random?: () => number;
  /**
   * 'real' (with `ownership`) or a scaled clock for runs that overlap; default: a fake clock whose sleeps
   * are instant.
   */
  clock?: 'fake' | 'real' | (Clock & { slept: number[] });
  ownership?: Partial<OwnershipTimings>;
  /** Called as each request leaves the client, before it is dispatched (e.g. to change the file then). */
  beforeRequest?: (request: { method: string; path: string }) => void;
}

export interface Harness {
  emulator: Emulator;
  /** Writes `data` to a temp file and returns its path. */
  image(data: Buffer, fileName?: string): Promise<string>;
  /** publish() against the emulator with a fresh client; `run` collects what it reported. */
  publish(
    request: Partial<PublishRequest> & { imagePath: string },
    options?: HarnessPublishOptions,
  ): Promise<PublishResult> & { run: Run };
  close(): Promise<void>;
}

export interface HarnessOptions {
  apiKey?: string;
  /** The chunk size of requests that give none (default 5 MiB, the service's minimum). */
  chunkSize?: number;
  /** Lets the emulator accept chunks under 5 MiB, so fault tables move kilobytes, not megabytes. */
  minChunkSizeForTests?: number;
  /** User-Agent and temp-folder prefix. */
  label?: string;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const { apiKey = API_KEY, chunkSize = CHUNK, label = 'uploader-test' } = opts;
  const emulator = await startEmulator({ apiKey, port: 0, minChunkSizeForTests: opts.minChunkSizeForTests });
  const dir = await mkdtemp(join(tmpdir(), `${label}-`));
  const runs = agentPerRun();
  let files = 0;
  return {
    emulator,
    async image(data, fileName = `image-${++files}.bin`) {
      const path = join(dir, fileName);
      await writeFile(path, data);
      return path;
    },
    publish(request, options = {}) {
      const clock =
        options.clock === 'real'
          ? realClock()
          : options.clock === 'fake' || options.clock === undefined
            ? fakeClock()
            : options.clock;
      const run: Run = { events: [], logger: recordingLogger(), clock };
      const { beforeRequest } = options;
      return runs.start(1, run, (agent) => {
        const dispatcher = beforeRequest
          ? agent.compose((dispatch) => (opts, handler) => {
              beforeRequest({ method: opts.method, path: opts.path });
              return dispatch(opts, handler);
            })
          : agent;
        const client = new UpdateServiceClient({
          baseUrl: new URL(options.baseUrl ?? emulator.url),
          apiKey: options.apiKey ?? apiKey,
          dispatcher,
          userAgent: label,
          requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
          signal: options.signal,
        });
        return publish(
          { name: 'fw', chunkSize, onConflict: 'reuse', maxRetries: 3, dryRun: false, ...request },
          {
            client,
            logger: run.logger,
            clock: run.clock,
            signal: options.signal,
            random: options.random ?? (() => 0.5),
            ownership: options.ownership,
            onEvent: recordInto(run.events, options.onEvent),
          },
        );
      });
    },
    close: () => closeAll(runs, emulator, dir),
  };
}

/**
 * One undici Agent per run, closed when its run settles: a run's connections never outlive it, and
 * closeAll() destroys whatever a run still holds (a hung request) at the end.
 */
export function agentPerRun() {
  const agents: Agent[] = [];
  return {
    /** Runs `go` on a fresh agent of `connections`; the promise carries `run`, what the run reports. */
    start<T, R>(connections: number, run: R, go: (agent: Agent) => Promise<T>): Promise<T> & { run: R } {
      const agent = new Agent({ connections });
      agents.push(agent);
      const promise = go(agent).finally(() => agent.close().catch(() => {}));
      return Object.assign(promise, { run });
    },
    destroy: () => Promise.all(agents.map((agent) => agent.destroy())),
  };
}

/** An onEvent that keeps each event in `events` and passes it on to the test's own `onEvent`. */
export function recordInto<E>(events: E[], onEvent?: (event: E) => void): (event: E) => void {
  return (event) => {
    events.push(event);
    onEvent?.(event);
  };
}

/** Ends a rig: its runs' agents, its emulator, its temp folder. */
export async function closeAll(runs: ReturnType<typeof agentPerRun>, emulator: Emulator, dir: string) {
  await runs.destroy();
  await emulator.stop();
  await rm(dir, { recursive: true, force: true });
}

export function randomImage(size: number): Buffer {
  return randomBytes(size);
}

/** The bytes the emulator stored for the image publish() reported. */
export async function storedBytes(emulator: Emulator, result: PublishResult): Promise<Buffer> {
  return emulator.state.imageBytes(result.firmwareImageId!);
}

/** Everything the run wrote or reported, as text: for checking the key never appears. */
export function everythingSaid(run: Run, error?: unknown): string {
  const parts = [...run.logger.lines, JSON.stringify(run.events, replaceErrors)];
  if (error instanceof Error) parts.push(error.message, String(error.stack));
  return parts.join('\n');
}

function replaceErrors(_key: string, value: unknown) {
  return value instanceof Error ? { message: value.message, name: value.name } : value;
}
