// src/api/schemas.ts (which the emulator's responses are validated against) checked field by field
// against the contract's own definitions, so the schemas cannot drift from the public API.
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { responseSchemas } from '../src/api/schemas.js';

interface ContractProperty {
  type?: string;
  format?: string;
  maxLength?: number;
  enum?: string[];
  items?: { $ref?: string; properties?: Record<string, ContractProperty>; required?: string[] };
}
interface ContractDefinition {
  properties: Record<string, ContractProperty>;
  required?: string[];
}

const contract = parse(
  readFileSync(new URL('./fixtures/update-service-contract.yaml', import.meta.url), 'utf8'),
) as { definitions: Record<string, ContractDefinition> };

/** Fields the live service returns beyond the contract (see the comments in schemas.ts). */
const EXTRAS: Record<string, string[]> = {
  UploadJob: ['completed'],
  FirmwareImage: [
    'short_datafile',
    'datafile_encryption',
    'encrypted_datafile_checksum',
    'encrypted_datafile_size',
  ],
};
/** Values the live service sends beyond the contract's enum: a campaign that stopped by itself, both spellings. */
const ENUM_EXTRAS: Record<string, Record<string, string[]>> = {
  UpdateCampaign: { phase: ['autostopped', 'auto_stopped'] },
};
/** Fields the contract marks `x-nullable`, or gives as null in its examples, which widen their type by null. */
const NULLABLE: Record<string, string[]> = { UpdateCampaign: ['when'] };

type SchemaProperty = {
  type?: string | readonly string[];
  format?: string;
  maxLength?: number;
  enum?: readonly string[];
};
type Schema = { $id: string; properties: Record<string, SchemaProperty>; required?: readonly string[] };

const schemas = Object.values(responseSchemas) as unknown as Schema[];

describe.each(schemas.map((schema) => [schema.$id, schema] as const))('%s schema', (id, schema) => {
  const definition = contract.definitions[id];

  it('has a definition in the contract', () => {
    expect(definition).toBeDefined();
  });

  it("has the contract's fields (plus the live service's documented extras)", () => {
    expect(Object.keys(schema.properties).sort()).toEqual(
      [...Object.keys(definition!.properties), ...(EXTRAS[id] ?? [])].sort(),
    );
  });

  it("gives every field the contract's type, format, length limit and values", () => {
    for (const [name, expected] of Object.entries(definition!.properties)) {
      const actual = schema.properties[name]!;
      const types = [actual.type].flat();
      expect({ name, type: types[0] }).toEqual({ name, type: expected.type });
      // Only `after` and the x-nullable fields widen the type (to null as well): the service sends null.
      const nullable = name === 'after' || (NULLABLE[id] ?? []).includes(name);
      if (types.length > 1)
        expect({ name, nullable, types }).toEqual({ name, nullable: true, types: [expected.type, 'null'] });
      expect({ name, format: actual.format }).toEqual({
        name,
        format: expected.format === 'date-time' ? 'date-time' : undefined,
      });
      expect({ name, maxLength: actual.maxLength }).toEqual({ name, maxLength: expected.maxLength });
      const extraValues = ENUM_EXTRAS[id]?.[name] ?? [];
      expect({ name, enum: actual.enum }).toEqual({
        name,
        enum: expected.enum && [...expected.enum, ...extraValues],
      });
    }
  });

  it('requires what the contract requires, and nothing else', () => {
    expect(schema.required ?? []).toEqual(definition!.required ?? []);
  });
});

describe('the schemas reject what the contract rules out', () => {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  const ajv = addFormats(new Ajv({ allErrors: true, strict: true }));

  it.each([
    ['uploadJob', { id: 7 }],
    ['uploadJob', { name: 'x'.repeat(129) }],
    ['uploadJob', { created_at: 'yesterday' }],
    ['uploadChunk', { id: '1' }],
    ['firmwareImage', { datafile_size: '12' }],
    ['uploadJobPage', { data: [{ status: 3 }] }],
    ['firmwareImagePage', { order: 'RANDOM' }],
    ['error', { object: 'error', code: 400, message: 'm', type: 't' }],
    ['updateCampaign', { phase: 'running' }],
    ['updateCampaign', { autostop_success_percent: '85' }],
    ['campaignMetrics', { pending_count: 1.5 }],
    ['campaignDeviceMetadata', { deployment_state: 'done' }],
    ['firmwareManifest', { datafile_size: '2048' }],
    ['eventTypeSummaryList', { data: [{ id: 'fails' }] }],
  ] as const)('%s: %j', (kind, body) => {
    expect(ajv.validate(responseSchemas[kind], body)).toBe(false);
  });
});
