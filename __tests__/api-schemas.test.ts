// The response schemas derived from the contract excerpt (support/contract.ts) keep every rule of it:
// generated from the raw contract, each field's type, null, length, range, values, format and
// `required` is broken and must be rejected; the contract's own examples must pass; and every documented
// deviation names a field or value the contract really lacks.
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../src/api/types.js';
import {
  contract,
  definitionSchema,
  DEVIATIONS,
  KINDS,
  PAGES,
  resolve,
  responseSchemas,
  schemaErrors,
  typeOf,
  type ContractNode,
} from './support/contract.js';

const definitions = Object.entries(contract.definitions);

/** The excerpt quotes some examples of numbers and booleans ('50', 'false'): read as YAML would unquoted. */
function example(node: ContractNode): unknown {
  return typeof node.example === 'string' && node.type !== 'string' ? parse(node.example) : node.example;
}

const SAMPLES: Record<string, unknown> = { string: 'x', integer: 1, number: 1.5, boolean: true, array: [] };

/** A value the contract allows at `node`: its example, else its first value, else one of its type. */
function validValue(node: ContractNode, at: string): unknown {
  const { node: target } = resolve(node);
  if (target.example !== undefined) return example(target);
  if (target.enum) return target.enum[0];
  const type = typeOf(target, at);
  return type === 'object' ? minimalBody(target, at) : SAMPLES[type];
}

/** An object with only the fields `node` requires. */
function minimalBody(node: ContractNode, at: string): Record<string, unknown> {
  return Object.fromEntries(
    (node.required ?? []).map((field) => [field, validValue(node.properties![field]!, `${at}.${field}`)]),
  );
}

interface Place {
  definition: string;
  at: string;
  node: ContractNode;
  /** A body of the definition that is valid but for `value` at this place. */
  put: (value: unknown) => unknown;
}

/** Every place of a definition, inline objects and array items included (a `$ref` is walked on its own). */
function* places(
  definition: string,
  node: ContractNode,
  at: string,
  put: (value: unknown) => unknown,
): Generator<Place> {
  yield { definition, at, node, put };
  if (node.$ref) return;
  if (node.items) yield* places(definition, node.items, `${at}[]`, (item) => put([item]));
  for (const [field, child] of Object.entries(node.properties ?? {})) {
    const inBody = (value: unknown) => put({ ...minimalBody(node, at), [field]: value });
    yield* places(definition, child, `${at}.${field}`, inBody);
  }
}

const allPlaces = definitions.flatMap(([name, node]) => [...places(name, node, name, (body) => body)]);

const WRONG_TYPE: Record<string, unknown[]> = {
  string: [7],
  integer: ['7', 1.5],
  number: ['7'],
  boolean: ['true'],
  array: [{}],
  object: [[], 'x'],
};
/** A value of the right type that breaks each format the contract uses; null: none (ajv-formats takes any
 * integer as an int64, and any number as a double). */
const BAD_FORMAT: Record<string, unknown> = {
  'date-time': 'yesterday',
  uri: 'no scheme',
  uuid: 'not-a-uuid',
  hex: 'xyz',
  int32: 2 ** 31,
  int64: null,
  double: null,
};

const isNullable = ({ node, at }: Place) => node['x-nullable'] === true || at in DEVIATIONS.nullable;

type Case = [at: string, what: string, definition: string, body: unknown];

function rejections(place: Place): Case[] {
  const { definition, at, put } = place;
  const node = resolve(place.node).node;
  const type = typeOf(node, at);
  const cases: Case[] = (WRONG_TYPE[type] ?? []).map((value) => [
    at,
    `${type}, not ${JSON.stringify(value)}`,
    definition,
    put(value),
  ]);
  if (!isNullable(place)) cases.push([at, 'not null', definition, put(null)]);
  if (node.maxLength !== undefined)
    cases.push([at, `at most ${node.maxLength} long`, definition, put('x'.repeat(node.maxLength + 1))]);
  if (node.minimum !== undefined)
    cases.push([at, `at least ${node.minimum}`, definition, put(node.minimum - 1)]);
  if (node.maximum !== undefined)
    cases.push([at, `at most ${node.maximum}`, definition, put(node.maximum + 1)]);
  if (node.enum) cases.push([at, 'one of its values', definition, put('not-one-of-them')]);
  if (node.format && BAD_FORMAT[node.format] !== null)
    cases.push([at, `format ${node.format}`, definition, put(BAD_FORMAT[node.format])]);
  for (const field of place.node.$ref ? [] : (node.required ?? [])) {
    const { [field]: _left, ...rest } = minimalBody(node, at);
    cases.push([at, `requires ${field}`, definition, put(rest)]);
  }
  return cases;
}

function acceptances(place: Place): Case[] {
  const { definition, at, node, put } = place;
  const target = resolve(node).node;
  const what = target.example === undefined ? 'a valid value' : "the contract's example";
  const cases: Case[] = [[at, what, definition, put(validValue(node, at))]];
  if (isNullable(place)) cases.push([at, 'null', definition, put(null)]);
  if (target.maxLength !== undefined)
    cases.push([at, `${target.maxLength} long`, definition, put('x'.repeat(target.maxLength))]);
  for (const bound of [target.minimum, target.maximum]) {
    if (bound !== undefined) cases.push([at, `${bound}`, definition, put(bound)]);
  }
  for (const value of DEVIATIONS.extraValues[at]?.values ?? []) {
    cases.push([at, `the live service's ${value}`, definition, put(value)]);
  }
  return cases;
}

const bodyOf = (definition: string, field: string, value: unknown) => ({
  ...minimalBody(contract.definitions[definition]!, definition),
  [field]: value,
});
const extraFields = Object.entries(DEVIATIONS.extraFields).map(([key, { schema }]) => {
  const [definition, field] = key.split('.') as [string, string];
  return { key, definition, field, type: schema.type as string };
});

describe('the derived schemas reject what the contract rules out', () => {
  it.each(allPlaces.flatMap(rejections))('%s: %s', (_at, _what, definition, body) => {
    expect(schemaErrors(definitionSchema(definition), body)).not.toEqual([]);
  });

  it.each(
    extraFields.flatMap(({ key, definition, field, type }) =>
      WRONG_TYPE[type]!.map((value) => [key, value, definition, bodyOf(definition, field, value)] as const),
    ),
  )("the live service's %s is not %j", (_key, _value, definition, body) => {
    expect(schemaErrors(definitionSchema(definition), body)).not.toEqual([]);
  });

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
    expect(schemaErrors(responseSchemas[kind], body)).not.toEqual([]);
  });
});

describe('the derived schemas accept what the contract allows', () => {
  it.each(allPlaces.flatMap(acceptances))('%s: %s', (_at, _what, definition, body) => {
    expect(schemaErrors(definitionSchema(definition), body)).toEqual([]);
  });

  it.each(
    extraFields.map(
      ({ key, definition, field, type }) =>
        [key, definition, bodyOf(definition, field, SAMPLES[type])] as const,
    ),
  )("the live service's %s", (_key, definition, body) => {
    expect(schemaErrors(definitionSchema(definition), body)).toEqual([]);
  });

  it.each(
    definitions.map(
      ([name, node]) => [name, { ...minimalBody(node, name), not_in_the_contract: 1 }] as const,
    ),
  )('%s: fields the contract does not list', (name, body) => {
    expect(schemaErrors(definitionSchema(name), body)).toEqual([]);
  });
});

describe('the deviations name only what the contract lacks', () => {
  const field = (key: string) => {
    const [definition, name] = key.split('.') as [string, string];
    expect(contract.definitions[definition]).toBeDefined();
    return contract.definitions[definition]!.properties?.[name];
  };

  it.each(Object.entries(DEVIATIONS.extraFields).map(([key, { why }]) => [key, why]))(
    '%s is not a field of the contract (%s)',
    (key) => {
      expect(field(key)).toBeUndefined();
    },
  );

  it.each(
    Object.entries(DEVIATIONS.extraValues).map(([key, { values, why }]) => [key, values, why] as const),
  )('%s: the contract has none of %j (%s)', (key, values) => {
    const contractValues = field(key)?.enum;
    expect(contractValues).toBeDefined();
    expect(values.filter((value) => contractValues!.includes(value))).toEqual([]);
  });

  it.each(Object.entries(DEVIATIONS.nullable))(
    '%s is a field the contract does not let be null (%s)',
    (key) => {
      const node = field(key);
      expect(node).toBeDefined();
      expect(node!['x-nullable']).toBeUndefined();
    },
  );

  it("widens every page's `after`, and pages are the definitions that have one", () => {
    const withAfter = definitions.filter(([, node]) => node.properties?.after).map(([name]) => name);
    expect(PAGES).toEqual(withAfter);
    expect(PAGES).toContain('UploadJobPage');
  });
});

describe('the derivation', () => {
  it('gives a schema to every definition: each is a response kind or the items of one', () => {
    const covered = new Set<string>(Object.values(KINDS));
    for (const name of Object.values(KINDS)) {
      for (const { node } of places(name, contract.definitions[name]!, name, (body) => body)) {
        const referenced = resolve(node).name;
        if (referenced) covered.add(referenced);
      }
    }
    expect(definitions.map(([name]) => name).filter((name) => !covered.has(name))).toEqual([]);
  });

  it('fails on a contract keyword it does not translate, or a node without a type, rather than drop it', () => {
    contract.definitions.Untranslated = {
      properties: { code: { type: 'string', pattern: '^[A-Z]+$' } as ContractNode },
    };
    contract.definitions.Untyped = { properties: { code: { description: 'no type' } as ContractNode } };
    try {
      expect(() => definitionSchema('Untranslated')).toThrow('Untranslated.code: no translation for pattern');
      expect(() => definitionSchema('Untyped')).toThrow('Untyped.code: the contract gives no type');
    } finally {
      delete contract.definitions.Untranslated;
      delete contract.definitions.Untyped;
    }
  });

  it("src/api/types.ts's name and description limits are the contract's", () => {
    const limits = (field: string) =>
      new Set(definitions.flatMap(([, node]) => node.properties?.[field]?.maxLength ?? []));
    expect(limits('name')).toEqual(new Set([MAX_NAME_LENGTH]));
    expect(limits('description')).toEqual(new Set([MAX_DESCRIPTION_LENGTH]));
  });
});
