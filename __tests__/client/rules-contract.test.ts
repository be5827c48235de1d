// What the client checks at run time (src/client/validate.ts RULES) held to the contract: every field
// rule names a field of the entity's contract definition (or a documented deviation, support/contract.ts)
// with the type the check reads it as. Not compared: which fields the client requires. The contract marks
// no field of these entities required; the client requires what the uploader cannot do without.
import { describe, expect, it } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import { RULES, type Entity } from '../../src/client/validate.js';
import { contract, definitionSchema } from '../support/contract.js';

type Rule = (typeof RULES)[Entity][number];

/** The contract definition each entity of RULES reads, or the one the excerpt lacks and why. */
const DEFINITIONS: Record<Entity, string | { none: string; why: string }> = {
  'upload job': 'UploadJob',
  'upload chunk': 'UploadChunkInfo',
  'firmware image': 'FirmwareImage',
  'firmware manifest': 'FirmwareManifest',
  'update campaign': 'UpdateCampaign',
  'campaign metrics': 'CampaignMetrics',
  'event type': 'EventType',
  'campaign device metadata': 'CampaignDeviceMetadata',
  device: {
    none: 'Device',
    why: 'a device comes from the Device Directory API (GET /v3/devices); the excerpt is the Update Service only',
  },
};

/** The contract type (and format) each client check reads a field as. */
const CHECK_TYPES: Record<Rule['check'], { type: string | string[]; format?: string }> = {
  string: { type: 'string' },
  'non-empty string': { type: 'string' },
  'whole number': { type: 'integer' },
  boolean: { type: 'boolean' },
  timestamp: { type: 'string', format: 'date-time' },
  // Only with a documented null widening: a plain string field the client lets be null is a client bug.
  'string or null': { type: ['string', 'null'] },
};

/** One line for each rule the definition does not back. */
function mismatches(definition: string, rules: readonly Rule[]): string[] {
  const properties = definitionSchema(definition).properties ?? {};
  return rules.flatMap(({ field, check }) => {
    const schema = properties[field];
    if (!schema) return [`${definition}.${field}: not in the contract nor its documented deviations`];
    const expected = CHECK_TYPES[check];
    const fits =
      isDeepStrictEqual(schema.type, expected.type) &&
      (expected.format === undefined || schema.format === expected.format);
    const found = JSON.stringify({ type: schema.type, format: schema.format });
    return fits ? [] : [`${definition}.${field}: checked as a ${check}, the contract has ${found}`];
  });
}

const entities = Object.entries(RULES) as [Entity, readonly Rule[]][];

describe('the client checks only fields the contract has, with their types', () => {
  it.each(entities)('%s', (entity, rules) => {
    const definition = DEFINITIONS[entity];
    expect(definition).toBeDefined();
    if (typeof definition === 'string') expect(mismatches(definition, rules)).toEqual([]);
    // No definition to hold it to: then the excerpt must really lack one.
    else expect(Object.keys(contract.definitions)).not.toContain(definition.none);
  });

  it('fails on a rule the contract does not back', () => {
    const madeUp: Rule[] = [
      ...RULES['upload job'],
      { field: 'made_up', check: 'string', required: false },
      { field: 'complete', check: 'whole number', required: false },
      { field: 'name', check: 'string or null', required: false },
      { field: 'created_at', check: 'timestamp', required: false },
    ];
    expect(mismatches('UploadJob', madeUp)).toEqual([
      'UploadJob.made_up: not in the contract nor its documented deviations',
      'UploadJob.complete: checked as a whole number, the contract has {"type":"boolean"}',
      'UploadJob.name: checked as a string or null, the contract has {"type":"string"}',
    ]);
  });

  it('fails on a plain string check of a field the contract lets be null', () => {
    expect(mismatches('UpdateCampaign', [{ field: 'when', check: 'timestamp', required: false }])).toEqual([
      'UpdateCampaign.when: checked as a timestamp, the contract has {"type":["string","null"],"format":"date-time"}',
    ]);
  });
});
