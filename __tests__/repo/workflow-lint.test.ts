// `npm run lint:workflows` (.ci/run runs it): actionlint over the workflows and examples, no pasted
// inputs/secrets/outputs in run: scripts, local `uses: ./` inputs, and every action.yml's metadata.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkActionMetadata } from '../../scripts/lib/action-metadata.js';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { findUnsafeInterpolations, unsafeReason } from '../../scripts/lib/unsafe-interpolation.js';
import { actionFiles, lintWorkflows, workflowFiles } from '../../scripts/lint-workflows.js';

const UNSAFE_WORKFLOW = `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      tag: \${{ steps.meta.outputs.tag }}
    steps:
      - id: meta
        run: echo "tag=v1" >> "$GITHUB_OUTPUT"
      - run: echo "\${{ steps.meta.outputs.tag }}"
      - run: |
          echo fine
          curl -H "Authorization: \${{ secrets.TOKEN }}" https://example.invalid
      - uses: actions/github-script@v7
        with:
          script: console.log('a with input, not a shell script')
      - env:
          TAG: \${{ steps.meta.outputs.tag }}
        run: echo "$TAG \${{ steps.meta.outcome }} \${{ matrix.os }} \${{ github.sha }}"
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: deploy --tag \${{ needs.build.outputs.tag }} --ref \${{ github.event.inputs.ref }}
      - run: echo \${{ needs.build.result }}
`;

describe('findUnsafeInterpolations', () => {
  it('finds inputs, secrets and step/job outputs pasted into run: scripts, with their lines', () => {
    const found = findUnsafeInterpolations(UNSAFE_WORKFLOW, 'bad.yml');
    expect(found.map((f) => [f.line, f.expression])).toEqual([
      [10, '${{ steps.meta.outputs.tag }}'],
      [13, '${{ secrets.TOKEN }}'],
      [24, '${{ needs.build.outputs.tag }}'],
      [24, '${{ github.event.inputs.ref }}'],
    ]);
    // Each line number is the line of the file that holds the expression.
    for (const f of found) expect(UNSAFE_WORKFLOW.split('\n')[f.line - 1]).toContain(f.expression);
  });

  it('leaves env:, with:, job outputs, outcomes and results alone', () => {
    for (const safe of [
      'steps.a.outcome',
      "steps['a'].conclusion",
      'needs.b.result',
      'matrix.os',
      'github.sha',
    ]) {
      expect(unsafeReason(safe)).toBeUndefined();
    }
    for (const unsafe of ['inputs.name', 'toJSON(secrets)', "steps['a'].outputs.x", 'needs.b.outputs["x"]']) {
      expect(unsafeReason(unsafe)).toBeDefined();
    }
  });

  it('checks the steps of a composite action too', () => {
    const composite = `name: c\ndescription: d\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo \${{ inputs.name }}\n`;
    expect(findUnsafeInterpolations(composite, 'action.yml')).toMatchObject([
      { line: 7, reason: 'reads `inputs`' },
    ]);
  });
});

describe('checkActionMetadata', () => {
  const actionYml = () => readFile(join(PROJECT_ROOT, 'action.yml'), 'utf8');

  it('accepts this repository’s action.yml (runs.using: node24, main in dist/)', async () => {
    expect(checkActionMetadata(await actionYml(), join(PROJECT_ROOT, 'action.yml'), PROJECT_ROOT)).toEqual(
      [],
    );
  });

  it('names each field that GitHub would not accept', async () => {
    const broken = (await actionYml())
      .replace('using: node24', 'using: node22')
      .replace('    default: reuse', '    defualt: reuse')
      .replace('  color: blue', '  color: teal');
    const problems = checkActionMetadata(broken, join(PROJECT_ROOT, 'action.yml'), PROJECT_ROOT);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/inputs\.on-conflict must NOT have additional properties 'defualt'/),
        expect.stringMatching(/runs\.using must be equal to one of the allowed values \(node20, node24/),
        expect.stringMatching(/branding\.color must be equal to one of the allowed values/),
      ]),
    );
  });

  it('fails a main that is not there, and a composite step without a shell', () => {
    const root = PROJECT_ROOT;
    const file = join(root, 'sub', 'action.yml');
    expect(
      checkActionMetadata(
        'name: a\ndescription: b\nruns:\n  using: node24\n  main: ../dist/nope.js\n',
        file,
        root,
      ),
    ).toEqual(["sub/action.yml: runs.main '../dist/nope.js' does not exist (run 'npm run bundle')"]);
    const composite = 'name: a\ndescription: b\nruns:\n  using: composite\n  steps:\n    - run: echo\n';
    expect(checkActionMetadata(composite, file, root)).toEqual([
      'sub/action.yml: runs.steps.0 needs either run: with shell:, or uses:',
    ]);
  });
});

describe('npm run lint:workflows', () => {
  it('passes on this repository, and covers its workflows, examples and every action.yml', async () => {
    const workflows = (await workflowFiles(PROJECT_ROOT)).map((f) => f.slice(PROJECT_ROOT.length + 1));
    expect(workflows).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/self-test.yml',
        '.github/workflows/release.yml',
        '.github/workflows/check-dist.yml',
        'examples/release.yml',
      ]),
    );
    expect(await actionFiles(PROJECT_ROOT)).toContain(join(PROJECT_ROOT, 'action.yml'));
    expect((await lintWorkflows(PROJECT_ROOT)).problems).toEqual([]);
  });

  it('fails, naming each problem, on a tree with a bad workflow, example and action.yml', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lint-workflows-'));
    try {
      await mkdir(join(root, '.github', 'workflows'), { recursive: true });
      await mkdir(join(root, 'examples'));
      await mkdir(join(root, 'campaign'));
      await writeFile(join(root, '.github', 'workflows', 'bad.yml'), UNSAFE_WORKFLOW);
      // actionlint: a job that needs one that does not exist; and an input ./ does not declare.
      await writeFile(
        join(root, 'examples', 'broken.yml'),
        'on: push\njobs:\n  a:\n    needs: nothere\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          colour: red\n',
      );
      await writeFile(
        join(root, 'action.yml'),
        'name: a\ndescription: b\ninputs:\n  image:\n    description: c\n    required: true\nruns:\n  using: composite\n  steps:\n    - uses: actions/checkout@v4\n',
      );
      await writeFile(
        join(root, 'campaign', 'action.yml'),
        'name: a\ndescription: b\nruns:\n  using: node16\n  main: index.js\n',
      );
      const cli = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'lint-workflows.ts'), '--root', root],
        { cwd: PROJECT_ROOT },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(
        /bad\.yml:10: \$\{\{ steps\.meta\.outputs\.tag \}\} in a run: script reads `steps` outputs; pass it through env:/,
      );
      expect(cli.stderr).toMatch(/bad\.yml:13: \$\{\{ secrets\.TOKEN \}\}/);
      expect(cli.stderr).toMatch(/broken\.yml:3:3 job "a" needs job "nothere" which does not exist/);
      expect(cli.stderr).toMatch(/examples\/broken\.yml: job a, step 1: `colour` is not an input of \.\//);
      expect(cli.stderr).toMatch(
        /examples\/broken\.yml: job a, step 1: required input `image` of \.\/ is missing/,
      );
      expect(cli.stderr).toMatch(
        /campaign\/action\.yml: runs\.using must be equal to one of the allowed values/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
