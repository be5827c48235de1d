// Validates an action.yml against the fields GitHub documents in "Metadata syntax for GitHub Actions"
// (actionlint lints workflows only; @action-validator/cli's schema predates `node24`). Unknown keys are
// errors, so a typo (`default:` misspelt, `using: node22`) fails here instead of on a user's runner.
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';

/** The runtimes GitHub runs today: node12/node16 actions no longer start on hosted runners. */
export const NODE_RUNTIMES = ['node20', 'node24'] as const;

const id = '^[A-Za-z_][A-Za-z0-9_-]*$';
const text = { type: 'string', minLength: 1 } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

// Plain JSON Schema (draft-07): JSONSchemaType<T> cannot express these open unions.
type Schema = Record<string, unknown>;

/** `inputs:` and `outputs:`: a map from an id to an entry with a description, these fields and no others. */
function describedById(fields: Schema): Schema {
  return {
    type: 'object',
    propertyNames: { pattern: id },
    additionalProperties: {
      type: 'object',
      required: ['description'],
      additionalProperties: false,
      properties: { description: text, ...fields },
    },
  };
}

const topLevel: Schema = {
  type: 'object',
  required: ['name', 'description', 'runs'],
  additionalProperties: false,
  properties: {
    name: text,
    author: { type: 'string' },
    description: text,
    inputs: describedById({
      required: { type: 'boolean' },
      default: { type: ['string', 'number', 'boolean'] },
      deprecationMessage: { type: 'string' },
    }),
    outputs: describedById({ value: { type: 'string' } }),
    runs: {
      type: 'object',
      required: ['using'],
      properties: { using: { enum: [...NODE_RUNTIMES, 'composite', 'docker'] } },
    },
    branding: {
      type: 'object',
      additionalProperties: false,
      properties: {
        icon: text,
        color: {
          enum: ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'],
        },
      },
    },
  },
};

const nodeRuns: Schema = {
  type: 'object',
  required: ['using', 'main'],
  additionalProperties: false,
  properties: {
    using: { enum: [...NODE_RUNTIMES] },
    main: text,
    pre: text,
    'pre-if': text,
    post: text,
    'post-if': text,
  },
};

const compositeStep: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: id },
    name: { type: 'string' },
    if: { type: ['string', 'boolean'] },
    run: text,
    shell: text,
    uses: text,
    with: { type: 'object' },
    env: stringMap,
    'working-directory': { type: 'string' },
    'continue-on-error': { type: ['string', 'boolean'] },
  },
};

const compositeRuns: Schema = {
  type: 'object',
  required: ['using', 'steps'],
  additionalProperties: false,
  properties: { using: { const: 'composite' }, steps: { type: 'array', minItems: 1, items: compositeStep } },
};

const dockerRuns: Schema = {
  type: 'object',
  required: ['using', 'image'],
  additionalProperties: false,
  properties: {
    using: { const: 'docker' },
    image: text,
    env: stringMap,
    entrypoint: text,
    'pre-entrypoint': text,
    'post-entrypoint': text,
    'pre-if': text,
    'post-if': text,
    args: { type: 'array', items: { type: 'string' } },
  },
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validateTop = ajv.compile(topLevel);
const validateRuns: Record<string, ReturnType<typeof ajv.compile>> = {
  composite: ajv.compile(compositeRuns),
  docker: ajv.compile(dockerRuns),
  ...Object.fromEntries(NODE_RUNTIMES.map((runtime) => [runtime, ajv.compile(nodeRuns)])),
};

/**
 * Problems in one action.yml, each naming the file and the field. `file` is the path of the action.yml,
 * used to resolve a node action's `main`/`pre`/`post` (relative to the action.yml's directory).
 */
export function checkActionMetadata(yamlText: string, file: string, root = process.cwd()): string[] {
  const shown = relative(root, file) || file;
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (error) {
    return [`${shown}: not valid YAML (${(error as Error).message})`];
  }
  if (!validateTop(doc)) return describe(shown, validateTop.errors);
  const runs = (doc as { runs: Record<string, unknown> }).runs;
  const validate = validateRuns[String(runs.using)];
  if (validate && !validate(runs)) return describe(`${shown} runs`, validate.errors);
  const problems: string[] = [];
  if (runs.using === 'composite') {
    (runs.steps as Record<string, unknown>[]).forEach((step, i) => {
      // A step runs a script (with its shell: composite steps have no default) or uses an action.
      const ok = 'uses' in step ? !('run' in step || 'shell' in step) : 'run' in step && 'shell' in step;
      if (!ok) problems.push(`${shown}: runs.steps.${i} needs either run: with shell:, or uses:`);
    });
  }
  if ((NODE_RUNTIMES as readonly string[]).includes(String(runs.using))) {
    for (const key of ['main', 'pre', 'post'] as const) {
      const script = runs[key];
      if (typeof script !== 'string') continue;
      const target = resolve(dirname(file), script);
      if (relative(root, target).startsWith('..')) {
        problems.push(`${shown}: runs.${key} '${script}' points outside the repository`);
      } else if (!existsSync(target)) {
        problems.push(`${shown}: runs.${key} '${script}' does not exist (run 'npm run bundle')`);
      }
    }
  }
  return problems;
}

function describe(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` '${String((e.params as { additionalProperty: string }).additionalProperty)}'`
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
    return `${where}: ${at} ${e.message ?? 'is invalid'}${extra}`;
  });
}
