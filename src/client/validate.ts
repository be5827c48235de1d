// The service's answers checked at the client boundary: what the uploader relies on is there and has the
// right type, so a lying or broken service (or a wrong api-host) ends in one clear error naming the
// operation and the field, never in a misleading one later (a string size "not matching", exit 0 without
// a datafile URL). Unknown fields are allowed; the live service returns more than the contract lists.
import type {
  CampaignDeviceMetadata,
  CampaignMetrics,
  Device,
  EventType,
  FirmwareManifest,
  UpdateCampaign,
} from '../api/release.js';
import type { FirmwareImage, ListPage, UploadChunk, UploadJob } from '../api/types.js';
import { ServiceError } from './errors.js';
import { CLIENT_HINTS } from './hints.js';

type Check = 'string' | 'non-empty string' | 'whole number' | 'boolean' | 'string or null' | 'timestamp';

interface FieldRule {
  field: string;
  check: Check;
  required: boolean;
}

const req = (field: string, check: Check): FieldRule => ({ field, check, required: true });
const opt = (field: string, check: Check): FieldRule => ({ field, check, required: false });

/** Only what the uploader reads; the contract's other fields are the service's business. */
export const RULES = {
  'upload job': [
    req('id', 'non-empty string'),
    opt('name', 'string'),
    opt('status', 'string'),
    opt('complete', 'boolean'),
    opt('completed', 'boolean'),
    // Empty (or null) until the job is complete.
    opt('firmware_image_id', 'string or null'),
    // The owner marker and how recently the job moved: the one-writer rule reads both (ownership.ts).
    opt('description', 'string'),
    opt('updated_at', 'timestamp'),
  ],
  'upload chunk': [req('id', 'whole number'), req('length', 'whole number'), req('hash', 'string')],
  'firmware image': [
    req('id', 'non-empty string'),
    opt('name', 'string'),
    req('datafile', 'non-empty string'),
    req('datafile_checksum', 'string'),
    req('datafile_size', 'whole number'),
    opt('short_datafile', 'string'),
    opt('description', 'string'),
    // Like with like (encrypt-payload), and the outputs a manifest of an encrypted payload needs.
    opt('datafile_encryption', 'boolean'),
    opt('encrypted_datafile_checksum', 'string'),
    opt('encrypted_datafile_size', 'whole number'),
  ],
  // What the campaign step decides on.
  'firmware manifest': [
    req('id', 'non-empty string'),
    opt('name', 'string'),
    opt('datafile_size', 'whole number'),
  ],
  'update campaign': [req('id', 'non-empty string'), opt('name', 'string'), req('phase', 'non-empty string')],
  'campaign metrics': [
    req('total_count', 'whole number'),
    req('success_count', 'whole number'),
    req('failed_count', 'whole number'),
    opt('skipped_count', 'whole number'),
    req('pending_count', 'whole number'),
  ],
  'event type': [req('id', 'non-empty string'), opt('count', 'whole number')],
  'campaign device metadata': [
    req('id', 'non-empty string'),
    req('device_id', 'non-empty string'),
    req('deployment_state', 'non-empty string'),
  ],
  device: [req('id', 'non-empty string')],
} as const satisfies Record<string, FieldRule[]>;

export type Entity = keyof typeof RULES;

interface EntityType {
  'upload job': UploadJob;
  'upload chunk': UploadChunk;
  'firmware image': FirmwareImage;
  'firmware manifest': FirmwareManifest;
  'update campaign': UpdateCampaign;
  'campaign metrics': CampaignMetrics;
  'event type': EventType;
  'campaign device metadata': CampaignDeviceMetadata;
  device: Device;
}

function passes(value: unknown, check: Check): boolean {
  switch (check) {
    case 'string':
      return typeof value === 'string';
    case 'non-empty string':
      return typeof value === 'string' && value !== '';
    case 'string or null':
      return typeof value === 'string' || value === null;
    case 'whole number':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
  }
}

/** What a wrong value is, for the message: `a string ("123")`, `missing`, `null`. */
function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const shown = JSON.stringify(value);
  const short = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
  return `${typeof value === 'string' ? 'a string' : `a ${typeof value}`} (${short})`;
}

export function protocolError(operation: string, what: string, maybeReceived: boolean): ServiceError {
  return new ServiceError({
    kind: 'protocol',
    operation,
    detail: `unexpected response: ${what}`,
    maybeReceived,
    hint: CLIENT_HINTS.notTheApi,
  });
}

/** Throws a protocol error naming the first field of `entity` that is missing or of the wrong type. */
export function checkEntity<E extends Entity>(
  entity: E,
  value: Record<string, unknown>,
  operation: string,
  maybeReceived: boolean,
  where = '',
): EntityType[E] {
  for (const rule of RULES[entity] as readonly FieldRule[]) {
    const field = value[rule.field];
    if (field === undefined && !rule.required) continue;
    if (!passes(field, rule.check)) {
      throw protocolError(
        operation,
        `${entity}${where} field \`${rule.field}\` is ${describe(field)}; expected a ${rule.check}`,
        maybeReceived,
      );
    }
  }
  return value as unknown as EntityType[E];
}

/** A list page: `data` an array of valid entities, `has_more` a boolean when present (absent = false). */
export function checkPage<E extends Entity>(
  entity: E,
  value: Record<string, unknown>,
  operation: string,
): ListPage<EntityType[E]> {
  if (!Array.isArray(value.data)) {
    throw protocolError(
      operation,
      `list field \`data\` is ${describe(value.data)}; expected an array`,
      false,
    );
  }
  if (value.has_more !== undefined && typeof value.has_more !== 'boolean') {
    throw protocolError(
      operation,
      `list field \`has_more\` is ${describe(value.has_more)}; expected a boolean`,
      false,
    );
  }
  value.data.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw protocolError(
        operation,
        `list item ${index + 1} is ${describe(item)}; expected an object`,
        false,
      );
    }
    checkEntity(entity, item as Record<string, unknown>, operation, false, ` (list item ${index + 1})`);
  });
  return value as unknown as ListPage<EntityType[E]>;
}
