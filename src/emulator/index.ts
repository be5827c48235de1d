// The Update Service emulator: a local stand-in for the service, sharp edges included, for tests, the
// demo, the benchmark and rehearsals. Shares only src/api/ and a few pure helpers (parseSize, md5) with
// the rest of the code (eslint.config.js enforces it).
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CampaignDeviceMetadata, Device, FirmwareManifest, UpdateCampaign } from '../api/release.js';
import type { FirmwareImage, UploadChunk, UploadJob } from '../api/types.js';
import { md5Base64 } from '../image/md5.js';
import { CampaignStore } from './campaigns.js';
import { DeviceTable, deviceView } from './devices.js';
import { FaultBook } from './faults.js';
import { ManifestStore, manifestView } from './manifests.js';
import { createRequestHandler } from './server.js';
import { chunkView, imageView, jobView } from './records.js';
import { Store } from './store.js';
import type {
  DeviceScript,
  DeviceSeed,
  EmulatorEvent,
  EmulatorOptions,
  FaultRule,
  Operation,
  Shaping,
} from './types.js';

export type * from './types.js';

export interface Emulator {
  /** 'http://127.0.0.1:<port>' (https when tls). */
  url: string;
  port: number;
  faults: { add(rule: FaultRule): void; clear(): void; load(rules: FaultRule[]): void };
  /** The event log, in order. */
  events: EmulatorEvent[];
  /**
   * Broken rules of the API: two chunk POSTs in flight on one job at once (concurrent-append), or two
   * clients writing one job even one after the other (second-writer).
   */
  violations(): EmulatorEvent[];
  /** How many requests of that operation arrived. */
  callCount(op: Operation): number;
  state: EmulatorState;
  setShaping(s: Shaping | undefined): void;
  /** Closes the server, destroys open sockets (hung ones too), removes a temp dataDir. */
  stop(): Promise<void>;
}

export interface EmulatorState {
  uploadJobs(): UploadJob[];
  /** As the API lists them: empty once the job is completed. */
  chunks(jobId: string): UploadChunk[];
  firmwareImages(): FirmwareImage[];
  /** For small images in tests. */
  imageBytes(imageId: string): Promise<Buffer>;
  /** Path on disk of the stored image. */
  imageFile(imageId: string): string;
  /** An image made through the same steps as the API flow (create, one chunk, complete), job then deleted. */
  seedFirmwareImage(p: { name: string; data: Buffer; description?: string }): Promise<FirmwareImage>;
  /** The encrypted copy of an image stored with `datafile_encryption`. */
  encryptedImageBytes(imageId: string): Promise<Buffer>;
  manifests(): FirmwareManifest[];
  /** Campaigns as GET would show them now (on the emulator's clock). */
  campaigns(): UpdateCampaign[];
  campaignDevices(campaignId: string): CampaignDeviceMetadata[];
  devices(): Device[];
  /** Adds devices to the directory; returns them. */
  seedDevices(seeds: DeviceSeed[]): Device[];
  /** What this device does when a campaign reaches it. */
  scriptDevice(deviceId: string, script: DeviceScript): void;
  /**
   * A job left in progress with these chunks stored (none: not_started), last updated `idleMs` ago
   * (default an hour: left behind by an earlier client, which is what a resume test wants).
   */
  seedUploadJob(p: {
    name: string;
    chunks?: Buffer[];
    description?: string;
    idleMs?: number;
  }): Promise<UploadJob>;
  /** TEST-ONLY: moves a job's updated_at back by `ms`, as if nobody had touched it for that long. */
  backdateUploadJob(jobId: string, ms: number): void;
}

export const DEFAULT_API_KEY = 'ak_emulator';
const SEEDED_JOB_IDLE_MS = 60 * 60_000;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'update-service-emulator-')));
  const events: EmulatorEvent[] = [];
  const emit = (event: Omit<EmulatorEvent, 'time'>) => events.push({ ...event, time: Date.now() });
  const store = new Store(dataDir, emit, opts.minChunkSizeForTests, opts.encryption ?? true);
  const devices = new DeviceTable();
  devices.seed(opts.devices ?? []);
  const manifests = new ManifestStore();
  const campaigns = new CampaignStore(
    { devices, manifests, now: opts.now ?? Date.now, deviceQuota: opts.campaignDeviceQuota },
    opts.campaignTiming,
  );
  await store.init();
  const faults = new FaultBook(opts.faults);
  const stopping = new AbortController();
  let shaping: Shaping = opts.shaping ?? {};
  let url = '';
  const shortDatafile = opts.shortDatafile ?? true;

  const handler = createRequestHandler({
    store,
    faults,
    apiKey: opts.apiKey ?? DEFAULT_API_KEY,
    shortDatafile,
    baseUrl: () => url,
    shaping: () => shaping,
    emit,
    stopped: stopping.signal,
    devices,
    manifests,
    campaigns,
  });
  // Large stream buffers: fewer, bigger pieces per chunk body, so less CPU per byte.
  const serverOptions = { highWaterMark: 1024 * 1024 };
  const server: Server = opts.tls
    ? createHttpsServer({ ...serverOptions, key: opts.tls.key, cert: opts.tls.cert }, handler)
    : createHttpServer(serverOptions, handler);
  // A shaped upload of a 100 MiB chunk may take minutes: no server-side request deadline.
  server.requestTimeout = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  url = `${opts.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const state: EmulatorState = {
    uploadJobs: () => store.allJobs().map(jobView),
    chunks: (jobId) => store.job(jobId).chunks.map((c) => chunkView(jobId, c)),
    firmwareImages: () => store.allImages().map((i) => imageView(i, url, shortDatafile)),
    imageBytes: (imageId) => readFile(store.image(imageId).file),
    imageFile: (imageId) => store.image(imageId).file,
    async seedFirmwareImage({ name, data, description }) {
      const job = await store.createJob({ name, description });
      await store.appendChunk(job.id, toAsync(data), md5Base64(data));
      const { job: completed } = await store.completeJob(job.id);
      await store.deleteJob(job.id);
      return imageView(store.image(completed.firmwareImageId), url, shortDatafile);
    },
    async seedUploadJob({ name, chunks = [], description, idleMs = SEEDED_JOB_IDLE_MS }) {
      const job = await store.createJob({ name, description });
      for (const chunk of chunks) await store.appendChunk(job.id, toAsync(chunk), md5Base64(chunk));
      store.backdate(job.id, idleMs);
      return jobView(job);
    },
    encryptedImageBytes: async (imageId) => {
      const encrypted = store.image(imageId).encrypted;
      if (!encrypted) throw new Error(`image ${imageId} has no encrypted copy`);
      return readFile(encrypted.file);
    },
    manifests: () => manifests.all().map((m) => manifestView(m, url)),
    campaigns: () => campaigns.all().map((c) => campaigns.view(c, url)),
    campaignDevices: (campaignId) => campaigns.deviceMetadata(campaignId),
    devices: () => devices.all().map(deviceView),
    seedDevices: (seeds) => devices.seed(seeds).map(deviceView),
    scriptDevice: (deviceId, script) => devices.setScript(deviceId, script),
    backdateUploadJob: (jobId, ms) => store.backdate(jobId, ms),
  };

  return {
    url,
    port,
    faults: {
      add: (rule) => faults.add(rule),
      clear: () => faults.clear(),
      load: (rules) => faults.load(rules),
    },
    events,
    violations: () => events.filter((e) => e.type === 'concurrent-append' || e.type === 'second-writer'),
    callCount: (op) => faults.callCount(op),
    state,
    setShaping: (s) => {
      shaping = s ?? {};
    },
    async stop() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function* toAsync(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}
