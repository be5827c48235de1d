// The Update Service's response schemas, derived at test time from the contract excerpt
// (fixtures/update-service-contract.yaml) so the contract is stated once, plus the live service's
// deviations from it, stated here once. The emulator tests validate every response against them;
// __tests__/api-schemas.test.ts tries to break them.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** A node of the contract's Swagger 2 definitions, as far as the excerpt uses them. */
export interface ContractNode {
  type?: string;
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  items?: ContractNode;
  properties?: Record<string, ContractNode>;
  required?: string[];
  $ref?: string;
  'x-nullable'?: boolean;
  example?: unknown;
}

export type JsonSchema = {
  type: string | string[];
  format?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

export const contract = parse(
  readFileSync(new URL('../fixtures/update-service-contract.yaml', import.meta.url), 'utf8'),
) as { definitions: Record<string, ContractNode> };

/** The response kinds the emulator tests check, and the contract definition each one is. */
export const KINDS = {
  uploadJob: 'UploadJob',
  uploadJobPage: 'UploadJobPage',
  uploadChunk: 'UploadChunkInfo',
  uploadChunkPage: 'UploadChunkInfoPage',
  firmwareImage: 'FirmwareImage',
  firmwareImagePage: 'FirmwareImagePage',
  firmwareManifest: 'FirmwareManifest',
  firmwareManifestPage: 'FirmwareManifestPage',
  updateCampaign: 'UpdateCampaign',
  updateCampaignPage: 'UpdateCampaignPage',
  campaignMetrics: 'CampaignMetrics',
  eventTypeSummaryList: 'EventTypeSummaryList',
  eventTypeList: 'EventTypeList',
  campaignDeviceMetadata: 'CampaignDeviceMetadata',
  campaignDeviceMetadataPage: 'CampaignDeviceMetadataPage',
  error: 'ErrorResponse',
} as const;
export type ResponseKind = keyof typeof KINDS;

/** The list pages: the definitions whose `data` is an array. */
export const PAGES = Object.keys(contract.definitions).filter(
  (name) => contract.definitions[name]!.properties?.data?.type === 'array',
);

const extra = (type: string, why: string) => ({ schema: { type }, why });

/**
 * Where the live service departs from the contract, keyed `Definition.field`, each with why. Besides
 * these, every schema allows unknown fields: the live service returns more than the contract lists.
 * __tests__/api-schemas.test.ts fails on an entry the contract has adopted.
 */
export const DEVIATIONS: {
  extraFields: Record<string, { schema: JsonSchema; why: string }>;
  extraValues: Record<string, { values: string[]; why: string }>;
  nullable: Record<string, string>;
} = {
  extraFields: {
    'UploadJob.completed': extra('boolean', "the guide's name for `complete`"),
    'FirmwareImage.short_datafile': extra('string', 'a shorter URL of the image, a manifest can carry it'),
    // An encrypted image (encrypt-payload): whether it is, and what manifest-tool reads of it.
    'FirmwareImage.datafile_encryption': extra('boolean', 'whether the service encrypted the stored image'),
    'FirmwareImage.encrypted_datafile_checksum': extra('string', "the encrypted payload's SHA-256"),
    'FirmwareImage.encrypted_datafile_size': extra('integer', "the encrypted payload's size"),
  },
  extraValues: {
    'UpdateCampaign.phase': {
      values: ['autostopped', 'auto_stopped'],
      why: 'a campaign that stopped by itself; the live service uses both spellings',
    },
  },
  nullable: {
    ...Object.fromEntries(
      PAGES.map((page) => [`${page}.after`, "null on a first page, as the contract's examples show"]),
    ),
    'UploadJob.firmware_image_id': 'the live service sends null until the job is complete',
  },
};

/** The contract's keywords that only document; everything else must be translated or derive() throws. */
const ANNOTATIONS = new Set(['description', 'example', 'default', 'x-deprecation']);
const TRANSLATED = new Set<keyof ContractNode>([
  'type',
  'format',
  'maxLength',
  'minimum',
  'maximum',
  'enum',
  'items',
  'properties',
  'required',
  '$ref',
  'x-nullable',
]);

/** The type a node declares; a node with properties is an object where the excerpt leaves `type` out. */
export function typeOf(node: ContractNode, at: string): string {
  const type = node.type ?? (node.properties ? 'object' : undefined);
  if (!type) throw new Error(`${at}: the contract gives no type`);
  return type;
}

export function resolve(node: ContractNode): { name?: string; node: ContractNode } {
  if (!node.$ref) return { node };
  const name = node.$ref.replace(/^#\/definitions\//, '');
  const target = contract.definitions[name];
  if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
  return { name, node: target };
}

function derive(node: ContractNode, at: string): JsonSchema {
  const { name, node: target } = resolve(node);
  if (name) return definitionSchema(name);
  const untranslated = Object.keys(target).filter(
    (key) => !ANNOTATIONS.has(key) && !TRANSLATED.has(key as keyof ContractNode),
  );
  if (untranslated.length) throw new Error(`${at}: no translation for ${untranslated.join(', ')}`);
  const type = typeOf(target, at);
  const nullable = target['x-nullable'] === true || DEVIATIONS.nullable[at] !== undefined;
  const schema: JsonSchema = { type: nullable ? [type, 'null'] : type };
  for (const key of ['format', 'maxLength', 'minimum', 'maximum', 'required'] as const) {
    if (target[key] !== undefined) Object.assign(schema, { [key]: target[key] });
  }
  if (target.enum) schema.enum = [...target.enum, ...(DEVIATIONS.extraValues[at]?.values ?? [])];
  if (target.items) schema.items = derive(target.items, `${at}[]`);
  if (target.properties) {
    const extras = Object.entries(DEVIATIONS.extraFields)
      .filter(([key]) => key.startsWith(`${at}.`))
      .map(([key, { schema: extra }]) => [key.slice(at.length + 1), extra]);
    schema.properties = {
      ...Object.fromEntries(
        Object.entries(target.properties).map(([field, child]) => [field, derive(child, `${at}.${field}`)]),
      ),
      ...Object.fromEntries(extras),
    };
  }
  return schema;
}

const derived = new Map<string, JsonSchema>();

/** The schema of one contract definition, with its deviations (one object per name, so ajv compiles it once). */
export function definitionSchema(name: string): JsonSchema {
  let schema = derived.get(name);
  if (!schema) {
    const definition = contract.definitions[name];
    if (!definition) throw new Error(`the contract has no definition ${name}`);
    schema = derive(definition, name);
    derived.set(name, schema);
  }
  return schema;
}

export const responseSchemas = Object.fromEntries(
  Object.entries(KINDS).map(([kind, name]) => [kind, definitionSchema(name)]),
) as Record<ResponseKind, JsonSchema>;

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
// ajv-formats has every format the contract uses but `hex` (a SHA-256 digest, hex-encoded).
const ajv = addFormats(new Ajv({ allErrors: true, strict: true })).addFormat('hex', /^[0-9a-f]*$/i);

/** Why `value` does not validate against `schema` (empty when it does). */
export function schemaErrors(schema: JsonSchema, value: unknown): ErrorObject[] {
  const validate = ajv.compile(schema);
  return validate(value) ? [] : (validate.errors ?? []);
}
