// Public types of the Update Service emulator (see src/emulator/index.ts for startEmulator).

// Closed sets are `as const` arrays with their union derived, and the tables over them are keyed with
// `satisfies Record<…>`: a new member fails the typecheck until the server, the fault tests, the chaos
// generator and the README cover it (CONTRIBUTING.md: "Adding an emulator fault / operation").

/** The operations whose path names an upload job (the only ones a foreign-writer fault can apply to). */
export const JOB_OPERATIONS = [
  'get-job',
  'update-job',
  'delete-job',
  /** A chunk POST with a body. */
  'append-chunk',
  /** The zero-length chunk POST that completes a job. */
  'complete-job',
  'list-chunks',
  'get-chunk',
] as const;

/** The upload-jobs side, served by upload-routes.ts. */
export const UPLOAD_OPERATIONS = [
  'create-job',
  'list-jobs',
  ...JOB_OPERATIONS,
  'list-images',
  'get-image',
  'download',
] as const;

/** The rest of a release, served by release-routes.ts. */
export const RELEASE_OPERATIONS = [
  /** The single multipart POST /v3/firmware-images (images up to 100 MiB). */
  'create-image',
  'create-manifest',
  'list-manifests',
  'get-manifest',
  'delete-manifest',
  /** GET of a manifest's `datafile` URL: the stored file, public like the image download. */
  'download-manifest',
  'create-campaign',
  'list-campaigns',
  'get-campaign',
  'delete-campaign',
  'start-campaign',
  'stop-campaign',
  'campaign-metrics',
  'campaign-statistics',
  'campaign-event-types',
  'campaign-device-metadata',
  'list-devices',
] as const;

export const OPERATIONS = [...UPLOAD_OPERATIONS, ...RELEASE_OPERATIONS] as const;
export type UploadOperation = (typeof UPLOAD_OPERATIONS)[number];
export type ReleaseOperation = (typeof RELEASE_OPERATIONS)[number];
export type Operation = (typeof OPERATIONS)[number];

/** Every fault the emulator can inject: exactly the `type`s of the Fault union (checked below). */
export const FAULT_TYPES = [
  'status',
  'reset-before',
  'reset-after',
  'status-after',
  'delay',
  'hang',
  'huge-body',
  'endless-body',
  'endless-paging',
  'mangle',
  'foreign-writer',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export type Fault =
  /**
   * Answers this status before the request has any effect; html: a gateway-style HTML body;
   * echoHeaders: the error message carries the request's headers (Authorization too), as some gateways do.
   */
  | {
      type: 'status';
      status: number;
      retryAfter?: string;
      html?: boolean;
      message?: string;
      echoHeaders?: boolean;
    }
  /** Destroys the connection before the request takes effect. */
  | { type: 'reset-before' }
  /** The request takes effect, then the socket is destroyed: the answer is lost. */
  | { type: 'reset-after' }
  /** The request takes effect, then an error status is answered anyway. */
  | { type: 'status-after'; status: number }
  /** The request takes effect; its normal answer is sent after `ms`. */
  | { type: 'delay'; ms: number }
  /** Never answers (the request body is read); stop() ends it. */
  | { type: 'hang' }
  /**
   * Hostile bodies (src/emulator/hostile.ts). huge-body: an answer of `bytes` bytes (with its
   * Content-Length) of `status` (default 200: the request takes effect first; an error status answers
   * before any effect, like a gateway's page).
   */
  | { type: 'huge-body'; bytes: number; status?: number }
  /** The request takes effect; a `status` (default 200) answer whose body never ends (until stop()). */
  | { type: 'endless-body'; status?: number }
  /**
   * On a list: the page always says `has_more`, with one more made-up entry each time (fresh ids, so the
   * cursor never repeats), or `repeat`: the same page (and cursor) every time.
   */
  | { type: 'endless-paging'; repeat?: boolean }
  /**
   * The request takes effect; its JSON answer (each entry of a list page) loses the `drop` fields and
   * gets the `set` values, e.g. `{ drop: ['id'] }` or `{ set: { datafile_size: '12' } }`.
   */
  | { type: 'mangle'; drop?: string[]; set?: Record<string, unknown> }
  /**
   * Another client appends a chunk of `bytes` random bytes (default 4096) to the job the request names,
   * just before the request is handled: a second writer on the job (recorded as a violation). Only on
   * operations that name a job; nothing happens when that job is gone or completed.
   */
  | { type: 'foreign-writer'; bytes?: number };

/** A union and a list that must name the same members: `true` only then. */
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time: FAULT_TYPES and the Fault union name the same faults (a new one goes in both). */
export type FaultTypesMatchUnion = SameMembers<Fault['type'], FaultType> extends true ? true : never;
const _faultTypesMatch: FaultTypesMatchUnion = true;

export interface FaultRule {
  operation: Operation;
  /**
   * Which call(s) of this operation, 1-based, counted since the emulator started (the same count as
   * callCount()); omitted = every call.
   */
  nth?: number | number[];
  fault: Fault;
}

export interface Shaping {
  /** Added before each response. */
  latencyMs?: number;
  /** Request bodies are read, and responses written, no faster than this (per request). */
  bandwidthBytesPerSec?: number;
}

export type EmulatorEventType =
  | 'request'
  | 'fault-injected'
  | 'job-created'
  | 'job-updated'
  | 'job-deleted'
  | 'chunk-stored'
  | 'chunk-rejected'
  | 'job-completed'
  | 'completion-rejected'
  | 'concurrent-append'
  /** A chunk POST from another client than the one that wrote the job last, while that one is still connected. */
  | 'second-writer';

export interface EmulatorEvent {
  type: EmulatorEventType;
  operation?: Operation;
  jobId?: string;
  chunkId?: number;
  /** Milliseconds since the epoch. */
  time: number;
  /** Human-readable detail: the fault, the reason for a rejection, the request line… */
  detail?: string;
  /** On 'request' events: the peer's address (a proxy's outgoing address when one is in between). */
  remoteAddress?: string;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'ak_emulator'; requests need `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  /** Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  faults?: FaultRule[];
  shaping?: Shaping;
  /** Serve HTTPS instead of HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Default true: images carry `short_datafile` as the live service does. */
  shortDatafile?: boolean;
  /**
   * TEST-ONLY: the smallest size of every chunk but the last (default MIN_CHUNK_SIZE, 5 MiB, the
   * service's rule). Lowered only so that many-chunk fault and chaos tests move kilobytes, not megabytes.
   */
  minChunkSizeForTests?: number;
  /** The device directory, seeded in this order; a campaign's device_filter selects from it. */
  devices?: DeviceSeed[];
  /**
   * The emulator's clock for campaigns and device scripts (ms; default Date.now). Tests pass their
   * fake clock's now(), so a rollout follows the test's time, not the wall clock.
   */
  now?: () => number;
  campaignTiming?: CampaignTiming;
  /** A campaign that would reach more devices than this stops while starting ("Insufficient billing credit."). */
  campaignDeviceQuota?: number;
  /** Default true; false: `datafile_encryption` is ignored, as by a service without encryption. */
  encryption?: boolean;
}

/** What a device does once a campaign reaches it (the campaign's clock time after it became active). */
export type DeviceScript =
  | { outcome: 'deploy'; afterMs: number }
  | { outcome: 'fail'; afterMs: number; reason: string }
  /** Never answers: stays pending. */
  | { outcome: 'silent' };

export interface DeviceSeed {
  count: number;
  deviceClass: string;
  vendorId: string;
  /** Default: deploy after 1 s. */
  script?: DeviceScript;
  /** Names are `<prefix>-<n>` (default `device`). */
  namePrefix?: string;
}

export interface CampaignTiming {
  /** How long `starting` lasts (default 2000 ms). */
  startingMs?: number;
  /** How long `stopping` lasts (default 1000 ms). */
  stoppingMs?: number;
  /** How the phase of a campaign that stopped by itself is spelled (the service uses both). */
  autostoppedSpelling?: 'autostopped' | 'auto_stopped';
}
