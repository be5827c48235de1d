import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import {
  ENV_EXAMPLE_PATH,
  EXAMPLES_DIR,
  README_PATH,
  cell,
  checkEnvExample,
  checkWorkflow,
  findDrift,
  inputsTable,
  renderReadme,
  replaceBetweenMarkers,
} from '../../scripts/docs.js';
import { CAMPAIGN_ACTION_PATH, loadActionSpec } from '../../scripts/lib/action-spec.js';
import { checkActionInputs, checkCliOptions } from '../../scripts/lib/input-spec-check.js';
import { INPUTS, type InputSpec } from '../../src/inputs/spec.js';

const ROOT = path.dirname(README_PATH);
const loadExample = (name: string) => readFile(path.join(EXAMPLES_DIR, name), 'utf8');

describe('README tables', () => {
  it('are what `npm run docs` generates from action.yml (the --check condition)', async () => {
    const { readme, expected, problems } = await findDrift();
    expect(problems).toEqual([]);
    expect(readme).toBe(expected);
  });

  it('list every input and output of action.yml', async () => {
    const [spec, readme] = await Promise.all([loadActionSpec(), readFile(README_PATH, 'utf8')]);
    for (const { name } of [...spec.inputs, ...spec.outputs]) expect(readme).toContain(`| \`${name}\``);
  });

  it('go stale when action.yml changes', async () => {
    const [spec, readme] = await Promise.all([loadActionSpec(), readFile(README_PATH, 'utf8')]);
    const changed = {
      ...spec,
      inputs: spec.inputs.map((i) => ({ ...i, description: `${i.description} New.` })),
    };
    expect(await renderReadme(readme, changed)).not.toBe(readme);
  });

  it('escape | and newlines so a description cannot break the table', () => {
    expect(cell('a | b\n  c')).toBe('a \\| b c');
    const table = inputsTable([{ name: 'x', required: false, default: 'a|b', description: 'one | two' }]);
    expect(table.split('\n')[2]).toBe('| `x` | no | `a\\|b` | one \\| two |');
  });

  it('say which markers are missing', () => {
    expect(() => replaceBetweenMarkers('# no markers', 'inputs', 'table')).toThrow(
      '<!-- inputs:start --> … <!-- inputs:end -->',
    );
  });

  it('`npm run docs -- --check` passes on the committed README', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/docs.ts', '--check'], { cwd: ROOT });
    expect(stdout).toContain('match action.yml');
  });
});

const VALID_WORKFLOW = `
on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - id: build
        run: make
      - id: publish
        uses: izuma/firmware-publish-action@v1
        with:
          api-key: \${{ secrets.IZUMA_API_KEY }}
          image-path: build/fw.bin
      - run: echo \${{ steps.publish.outputs.datafile_url }} \${{ steps.build.outputs.anything }}
`;

describe('example workflow checker', () => {
  it('accepts a workflow that uses only real inputs and outputs', async () => {
    expect(checkWorkflow(VALID_WORKFLOW, await loadActionSpec())).toEqual([]);
  });

  it('rejects a made-up input, a made-up output and a missing required input', async () => {
    const bad = VALID_WORKFLOW.replace('image-path: build/fw.bin', 'image-file: build/fw.bin').replace(
      'outputs.datafile_url',
      'outputs.image_url',
    );
    expect(checkWorkflow(bad, await loadActionSpec(), 'bad.yml')).toEqual([
      'bad.yml: job publish, step publish: `image-file` is not an input of action.yml',
      'bad.yml: job publish, step publish: required input `image-path` is missing',
      'bad.yml: job publish reads `steps.publish.outputs.image_url`, not an output of action.yml',
    ]);
  });

  it('rejects a workflow that never uses the action', async () => {
    const other = VALID_WORKFLOW.replace('izuma/firmware-publish-action@v1', 'someone/else@v1');
    expect(checkWorkflow(other, await loadActionSpec(), 'other.yml')).toEqual([
      'other.yml: no step uses izuma/firmware-publish-action',
    ]);
  });

  it('rejects .env.example lines that are not inputs (e.g. underscores for hyphens)', async () => {
    const spec = await loadActionSpec();
    expect(checkEnvExample(await readFile(ENV_EXAMPLE_PATH, 'utf8'), spec)).toEqual([]);
    expect(checkEnvExample('INPUT_IMAGE_PATH=fw.bin\nINPUT_IMAGE-PATH=fw.bin\n', spec)).toEqual([
      '.env.example: INPUT_IMAGE_PATH is not an input of action.yml',
    ]);
  });
});

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      steps: Step[];
      strategy?: { matrix: Record<string, unknown[]> };
      concurrency?: { group: string; 'cancel-in-progress': boolean };
    }
  >;
}
const parseWorkflow = async (name: string) => parseYaml(await loadExample(name)) as Workflow;
const stepsOf = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const publishStep = (w: Workflow) =>
  stepsOf(w).find((s) => s.uses?.startsWith('izuma/firmware-publish-action@'));

describe('examples/', () => {
  it.each(['release.yml', 'matrix.yml', 'pr-rehearsal.yml'])(
    '%s uses only real inputs and outputs',
    async (f) => {
      const campaignSpec = await loadActionSpec(CAMPAIGN_ACTION_PATH);
      expect(checkWorkflow(await loadExample(f), await loadActionSpec(), f, campaignSpec)).toEqual([]);
    },
  );

  it('release.yml: tag → publish → manifest-dev-tool create with the datafile URL → campaign step that waits and gates', async () => {
    const workflow = await parseWorkflow('release.yml');
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } });
    expect(publishStep(workflow)?.with?.['api-key']).toBe('${{ secrets.IZUMA_API_KEY }}');
    const steps = stepsOf(workflow);
    const create = steps.find((s) => s.run?.includes('manifest-dev-tool create'))!;
    // The URL reaches the script through env, never as an expression inside `run:`.
    expect(create.env?.PAYLOAD_URL).toBe('${{ steps.publish.outputs.datafile_url }}');
    expect(create.run).toMatch(/--payload-url "\$PAYLOAD_URL"[^]*--output build\/update-manifest\.bin/);
    const campaign = steps.find((s) => s.uses === 'izuma/firmware-publish-action/campaign@v1')!;
    expect(steps.indexOf(create)).toBeLessThan(steps.indexOf(campaign));
    expect(campaign.with).toMatchObject({ 'manifest-path': 'build/update-manifest.bin', wait: true });
    expect(Number(campaign.with?.['min-success-percent'])).toBeGreaterThan(0);
    expect(steps.map((s) => s.run ?? '').join('\n')).not.toContain('curl');
  });

  it('checks a campaign step against campaign/action.yml', async () => {
    const campaignSpec = await loadActionSpec(CAMPAIGN_ACTION_PATH);
    const workflow = `${VALID_WORKFLOW}      - id: roll
        uses: izuma/firmware-publish-action/campaign@v1
        with:
          api-key: x
          manifest-path: m.bin
          image-path: nope
      - run: echo \${{ steps.roll.outputs.campaign_id }} \${{ steps.roll.outputs.firmware_image_id }}
`;
    expect(checkWorkflow(workflow, await loadActionSpec(), 'w.yml', campaignSpec)).toEqual([
      'w.yml: job publish, step roll: `image-path` is not an input of campaign/action.yml',
      'w.yml: job publish, step roll: required input `device-filter` is missing',
      'w.yml: job publish reads `steps.roll.outputs.firmware_image_id`, not an output of campaign/action.yml',
    ]);
  });

  it('matrix.yml: every variant publishes under its own name', async () => {
    const workflow = await parseWorkflow('matrix.yml');
    const job = Object.values(workflow.jobs)[0]!;
    expect(job.strategy?.matrix.variant?.length).toBeGreaterThan(1);
    expect(publishStep(workflow)?.with?.name).toContain('${{ matrix.variant }}');
  });

  it.each(['release.yml', 'matrix.yml'])(
    '%s: one publish per name at a time (a concurrency group keyed like the name, never cancelling)',
    async (f) => {
      const workflow = await parseWorkflow(f);
      const job = Object.values(workflow.jobs)[0]!;
      expect(job.concurrency?.['cancel-in-progress']).toBe(false);
      const name = publishStep(workflow)?.with?.name as string;
      for (const part of name.match(/\$\{\{[^}]+\}\}/g) ?? []) expect(job.concurrency?.group).toContain(part);
    },
  );

  it('pr-rehearsal.yml: a dry run on pull requests', async () => {
    const workflow = await parseWorkflow('pr-rehearsal.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(publishStep(workflow)?.with?.['dry-run']).toBe(true);
  });
});

describe('the input specification (src/inputs/spec.ts)', () => {
  it('agrees with both action.yml files and the CLI as committed', async () => {
    const [spec, campaignSpec] = await Promise.all([loadActionSpec(), loadActionSpec(CAMPAIGN_ACTION_PATH)]);
    expect(checkActionInputs(spec, 'publish')).toEqual([]);
    expect(checkActionInputs(campaignSpec, 'campaign')).toEqual([]);
    expect(checkCliOptions()).toEqual([]);
  });

  it('fails when an action.yml default or input drifts from it', async () => {
    const spec = await loadActionSpec();
    const drifted = {
      ...spec,
      inputs: spec.inputs
        .filter((i) => i.name !== 'encrypt-payload')
        .map((i) => (i.name === 'retries' ? { ...i, default: '3' } : i)),
    };
    expect(checkActionInputs(drifted, 'publish')).toEqual([
      'action.yml: input `retries` default "3", spec.ts says "5"',
      'action.yml: lacks input `encrypt-payload` of src/inputs/spec.ts (publish)',
    ]);
  });

  it("fails when an action.yml description states a range other than the spec's", async () => {
    const spec = await loadActionSpec();
    const drifted = {
      ...spec,
      inputs: spec.inputs.map((i) =>
        i.name === 'chunk-size' ? { ...i, description: i.description.replace('100MiB', '64MiB') } : i,
      ),
    };
    expect(checkActionInputs(drifted, 'publish')).toEqual([
      "action.yml: input `chunk-size`'s description does not give its range as spec.ts has it: '5MiB to 100MiB'",
    ]);
  });

  it('fails when the CLI lacks an option for an input', () => {
    const extra: InputSpec = {
      name: 'new-input',
      cli: { flag: '--new-input <x>', help: 'a new input' },
    };
    const problems = checkCliOptions(undefined, { ...INPUTS, publish: [...INPUTS.publish, extra] });
    expect(problems).toEqual(["the CLI's `publish` lacks --new-input <x> for input `new-input`"]);
  });
});
