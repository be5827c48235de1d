// JSON Schemas of the Update Service's responses, written by hand from the public contract's definitions
// (UploadJob, UploadJobPage, UploadChunkInfo, UploadChunkInfoPage, FirmwareImage, FirmwareImagePage,
// ErrorResponse): field names, types, formats, lengths, and `required` only where the contract has it.
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
  error: errorResponseSchema,
} as const;

export type ResponseKind = keyof typeof responseSchemas;
