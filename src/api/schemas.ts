// JSON Schemas of the Update Service's responses, written by hand from the public contract's definitions
// (UploadJob, UploadJobPage, UploadChunkInfo, UploadChunkInfoPage, FirmwareImage, FirmwareImagePage,
// ErrorResponse, and the release side: FirmwareManifest, UpdateCampaign, CampaignMetrics, EventTypeSummary,
// EventType, CampaignDeviceMetadata and their pages): field names, types, formats, lengths, and `required` only where the contract has it.
// Unknown fields are allowed: the live service returns more than the contract lists.
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from './types.js';

const dateTime = { type: 'string', format: 'date-time' } as const;
/** Upload jobs and firmware images share the name and description rules. */
const nameAndDescription = {
  name: { type: 'string', maxLength: MAX_NAME_LENGTH },
  description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH },
} as const;
/** The contract types `after` as a string, but its example (and the service) give null on a first page. */
const after = { type: ['string', 'null'] } as const;

/** The fields every stored entity of the contract carries besides its own. */
function entitySchema<P extends object>($id: string, id: { type: 'string' | 'integer' }, properties: P) {
  return {
    $id,
    type: 'object',
    properties: {
      object: { type: 'string' },
      id,
      ...properties,
      created_at: dateTime,
      updated_at: dateTime,
      etag: { type: 'string' },
    },
  } as const;
}

export const uploadJobSchema = entitySchema('UploadJob', { type: 'string' }, {
  ...nameAndDescription,
  status: { type: 'string' },
  complete: { type: 'boolean' },
  /** The guide's name for `complete`. */
  completed: { type: 'boolean' },
  firmware_image_id: { type: 'string' },
} as const);

export const uploadChunkSchema = entitySchema('UploadChunkInfo', { type: 'integer' }, {
  length: { type: 'integer' },
  hash: { type: 'string' },
  upload_job_id: { type: 'string' },
} as const);

export const firmwareImageSchema = entitySchema('FirmwareImage', { type: 'string' }, {
  ...nameAndDescription,
  datafile: { type: 'string' },
  datafile_checksum: { type: 'string' },
  datafile_size: { type: 'integer' },
  /** Not in the contract; the live service returns it. */
  short_datafile: { type: 'string' },
  /** Not in the contract; the live service returns them (manifest-tool reads them for an encrypted payload). */
  datafile_encryption: { type: 'boolean' },
  encrypted_datafile_checksum: { type: 'string' },
  encrypted_datafile_size: { type: 'integer' },
} as const);

const text = { type: 'string' } as const;
const integer = { type: 'integer' } as const;

export const firmwareManifestSchema = entitySchema('FirmwareManifest', text, {
  ...nameAndDescription,
  datafile: text,
  datafile_size: integer,
  delivered_payload_digest: text,
  delivered_payload_size: integer,
  delivered_payload_type: { type: 'string', enum: ['full', 'delta'] },
  delivered_payload_url: text,
  device_class: text,
  device_vendor: text,
  key_table: text,
  manifest_schema_version: { type: 'string', enum: ['1', '3'] },
  parsed_raw_manifest: { type: 'object' },
  precursor_payload_digest: text,
  timestamp: dateTime,
  update_priority: integer,
} as const);

/** The contract's phases, plus the stopped-by-itself end the live service reports in both spellings. */
export const CAMPAIGN_PHASES = [
  'draft',
  'awaiting_approval',
  'timed',
  'starting',
  'active',
  'stopping',
  'stopped',
  'deleted',
  'archived',
  'autostopped',
  'auto_stopped',
] as const;

export const updateCampaignSchema = entitySchema('UpdateCampaign', text, {
  ...nameAndDescription,
  active_at: dateTime,
  approval_required: { type: 'boolean' },
  archived_at: dateTime,
  autostop: { type: 'boolean' },
  autostop_reason: text,
  autostop_success_percent: { type: 'number' },
  campaign_strategy: { type: 'string', enum: ['one-shot', 'continuous'] },
  device_filter: text,
  finished: dateTime,
  phase: { type: 'string', enum: CAMPAIGN_PHASES },
  root_manifest_id: text,
  root_manifest_url: text,
  started_at: dateTime,
  starting_at: dateTime,
  state: {
    type: 'string',
    enum: [
      'draft',
      'scheduled',
      'allocatingquota',
      'allocatedquota',
      'quotaallocationfailed',
      'checkingmanifest',
      'checkedmanifest',
      'devicefetch',
      'devicecopy',
      'devicecheck',
      'publishing',
      'deploying',
      'deployed',
      'manifestremoved',
      'expired',
      'stopping',
      'autostopped',
      'userstopped',
      'conflict',
    ],
  },
  stopped_at: dateTime,
  stopping_at: dateTime,
  /** `x-nullable` in the contract. */
  when: { type: ['string', 'null'], format: 'date-time' },
} as const);

export const campaignMetricsSchema = {
  $id: 'CampaignMetrics',
  type: 'object',
  properties: {
    object: text,
    created_at: dateTime,
    total_count: integer,
    success_count: integer,
    failed_count: integer,
    skipped_count: integer,
    pending_count: integer,
  },
} as const;

export const eventTypeSummarySchema = {
  $id: 'EventTypeSummary',
  type: 'object',
  properties: {
    object: text,
    id: { type: 'string', enum: ['fail', 'success', 'info', 'skipped'] },
    summary_status: { type: 'string', enum: ['FAIL', 'SUCCESS', 'INFO', 'SKIPPED'] },
    campaign_id: text,
    count: integer,
    created_at: dateTime,
  },
} as const;

export const eventTypeSchema = {
  $id: 'EventType',
  type: 'object',
  properties: {
    object: text,
    id: text,
    campaign_id: text,
    count: integer,
    created_at: dateTime,
    description: text,
    event_type: text,
    summary_status: text,
    summary_status_id: text,
  },
} as const;

export const campaignDeviceMetadataSchema = entitySchema('CampaignDeviceMetadata', text, {
  ...nameAndDescription,
  campaign: text,
  deployment_state: {
    type: 'string',
    enum: [
      'pending',
      'updated_connector_channel',
      'failed_connector_channel_update',
      'deployed',
      'manifestremoved',
      'deregistered',
    ],
  },
  device_id: text,
  mechanism: text,
  mechanism_url: text,
} as const);

function pageSchema<T extends object>(id: string, item: T) {
  return {
    $id: id,
    type: 'object',
    properties: {
      object: { type: 'string' },
      data: { type: 'array', items: item },
      has_more: { type: 'boolean' },
      limit: { type: 'integer' },
      order: { type: 'string', enum: ['ASC', 'DESC'] },
      after,
      total_count: { type: 'integer' },
    },
  } as const;
}

const withoutId = <T extends { $id: string }>({ $id: _id, ...rest }: T): Omit<T, '$id'> => rest;

export const uploadJobPageSchema = pageSchema('UploadJobPage', withoutId(uploadJobSchema));
export const uploadChunkPageSchema = pageSchema('UploadChunkInfoPage', withoutId(uploadChunkSchema));
export const firmwareImagePageSchema = pageSchema('FirmwareImagePage', withoutId(firmwareImageSchema));
export const firmwareManifestPageSchema = pageSchema(
  'FirmwareManifestPage',
  withoutId(firmwareManifestSchema),
);
export const updateCampaignPageSchema = pageSchema('UpdateCampaignPage', withoutId(updateCampaignSchema));
export const eventTypeSummaryListSchema = pageSchema(
  'EventTypeSummaryList',
  withoutId(eventTypeSummarySchema),
);
export const eventTypeListSchema = pageSchema('EventTypeList', withoutId(eventTypeSchema));
export const campaignDeviceMetadataPageSchema = pageSchema(
  'CampaignDeviceMetadataPage',
  withoutId(campaignDeviceMetadataSchema),
);

export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  properties: {
    object: { type: 'string', enum: ['error'] },
    code: { type: 'integer' },
    type: { type: 'string' },
    message: { type: 'string' },
    request_id: { type: 'string' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, message: { type: 'string' } },
        required: ['name', 'message'],
      },
    },
  },
  required: ['code', 'message', 'object', 'request_id', 'type'],
} as const;

export const responseSchemas = {
  uploadJob: uploadJobSchema,
  uploadJobPage: uploadJobPageSchema,
  uploadChunk: uploadChunkSchema,
  uploadChunkPage: uploadChunkPageSchema,
  firmwareImage: firmwareImageSchema,
  firmwareImagePage: firmwareImagePageSchema,
  firmwareManifest: firmwareManifestSchema,
  firmwareManifestPage: firmwareManifestPageSchema,
  updateCampaign: updateCampaignSchema,
  updateCampaignPage: updateCampaignPageSchema,
  campaignMetrics: campaignMetricsSchema,
  eventTypeSummaryList: eventTypeSummaryListSchema,
  eventTypeList: eventTypeListSchema,
  campaignDeviceMetadata: campaignDeviceMetadataSchema,
  campaignDeviceMetadataPage: campaignDeviceMetadataPageSchema,
  error: errorResponseSchema,
} as const;

export type ResponseKind = keyof typeof responseSchemas;
