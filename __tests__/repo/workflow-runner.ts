// Runs one job of a workflow on this machine, the way a GitHub runner would run its steps: `run:` steps
// with `bash --noprofile --norc -eo pipefail`, `uses: ./` steps with the bundled action
// (scripts/lib/run-action.ts: INPUT_*, GITHUB_OUTPUT), GITHUB_OUTPUT/GITHUB_ENV files, continue-on-error,
// `if:`. Expressions are evaluated for the few forms the self-test uses; any other form throws, so the
// workflow cannot grow a step this runner silently mis-reads.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { asRecord } from '../../scripts/lib/action-spec.js';
import { parseGithubOutput, PROJECT_ROOT, runAction } from '../../scripts/lib/run-action.js';

export interface StepRun {
  id?: string;
  name: string;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  log: string;
}

export interface JobOptions {
  /** Values that replace the job's own `env:` entries (a free port, a temporary directory). */
  envOverrides?: Record<string, string>;
  matrix: Record<string, string>;
  /** Steps left out because the checkout they prepare is this one (checkout, setup-node, npm ci). */
  skip: (step: Record<string, unknown>) => boolean;
  runnerTemp: string;
}

export class JobRun {
  readonly steps: StepRun[] = [];
  private readonly env: Record<string, string>;
  private readonly processGroups: number[] = [];
  /** Steps that failed under `continue-on-error: true`: their outcome is failure, the job goes on. */
  private readonly tolerated = new Set<string>();

  constructor(
    private readonly job: Record<string, unknown>,
    private readonly options: JobOptions,
  ) {
    const jobEnv = asRecord(job.env ?? {}, 'job env');
    this.env = {
      ...Object.fromEntries(Object.entries(jobEnv).map(([k, v]) => [k, String(v)])),
      ...options.envOverrides,
    };
  }

  static async load(workflowPath: string, jobId: string, options: JobOptions): Promise<JobRun> {
    const workflow = asRecord(parseYaml(await readFile(workflowPath, 'utf8')), workflowPath);
    return new JobRun(asRecord(asRecord(workflow.jobs, 'jobs')[jobId], jobId), options);
  }

  get failed(): boolean {
    return this.steps.some((s) => s.outcome === 'failure' && !this.continuesOnError(s));
  }

  async run(): Promise<StepRun[]> {
    const steps = (this.job.steps as unknown[]).map((s, i) => asRecord(s, `step ${i + 1}`));
    for (const step of steps) {
      if (this.options.skip(step)) continue;
      const name = String(step.name ?? step.id ?? step.uses ?? step.run);
      const id = typeof step.id === 'string' ? step.id : undefined;
      // As on GitHub, a condition without a status function (failure(), always()…) also needs success().
      const condition = step.if === undefined ? 'success()' : String(step.if);
      const runs = /\b(success|failure|always|cancelled)\(\)/.test(condition)
        ? this.evaluate(condition) === true
        : !this.failed && this.evaluate(condition) === true;
      if (!runs) {
        this.steps.push({ id, name, outcome: 'skipped', outputs: {}, log: '' });
        continue;
      }
      const result =
        typeof step.run === 'string'
          ? await this.runScript(step.run, asRecord(step.env ?? {}, `${name} env`))
          : await this.runLocalAction(step);
      this.steps.push({ id, name, ...result });
      if (result.outcome === 'failure' && step['continue-on-error'] === true) this.tolerated.add(name);
    }
    return this.steps;
  }

  /** Ends what the steps left running in the background (the emulator), as a runner does after a job. */
  stopBackgroundProcesses(): void {
    for (const group of this.processGroups) {
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // the group has ended already
      }
    }
  }

  private continuesOnError(step: StepRun): boolean {
    return this.tolerated.has(step.name);
  }

  private async runScript(
    script: string,
    stepEnv: Record<string, unknown>,
  ): Promise<Omit<StepRun, 'id' | 'name'>> {
    const n = this.steps.length + 1;
    const [scriptFile, outputFile, envFile] = ['sh', 'output', 'env'].map((ext) =>
      join(this.options.runnerTemp, `step-${n}.${ext}`),
    ) as [string, string, string];
    await writeFile(scriptFile, this.interpolate(script));
    await writeFile(outputFile, '');
    await writeFile(envFile, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? this.options.runnerTemp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: PROJECT_ROOT,
      GITHUB_OUTPUT: outputFile,
      GITHUB_ENV: envFile,
      RUNNER_TEMP: this.options.runnerTemp,
      ...this.env,
      ...Object.fromEntries(Object.entries(stepEnv).map(([k, v]) => [k, this.interpolate(String(v))])),
    };
    // Its own process group, so what the script leaves in the background can be ended afterwards.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
      cwd: PROJECT_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) this.processGroups.push(child.pid);
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    Object.assign(this.env, parseGithubOutput(await readFile(envFile, 'utf8')));
    return {
      outcome: code === 0 ? 'success' : 'failure',
      outputs: parseGithubOutput(await readFile(outputFile, 'utf8')),
      log,
    };
  }

  private async runLocalAction(step: Record<string, unknown>): Promise<Omit<StepRun, 'id' | 'name'>> {
    if (step.uses !== './') throw new Error(`this runner runs only \`uses: ./\`, not ${String(step.uses)}`);
    const given = asRecord(step.with ?? {}, 'with');
    const inputs = Object.fromEntries(
      Object.entries(given).map(([k, v]) => [k, this.interpolate(String(v))]),
    );
    const result = await runAction({ inputs, env: this.env, cwd: PROJECT_ROOT });
    await result.cleanup();
    return {
      outcome: result.exitCode === 0 ? 'success' : 'failure',
      outputs: result.outputs,
      log: `${result.stdout}\n${result.stderr}`,
    };
  }

  private interpolate(text: string): string {
    return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expression: string) =>
      String(this.evaluate(expression)),
    );
  }

  /** The expression forms the self-test uses; anything else is an error, never a guess. */
  private evaluate(expression: string): string | boolean {
    const text = expression.replace(/^\$\{\{\s*|\s*\}\}$/g, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^env\.([\w-]+)$/.exec(text))) {
      const value = this.env[m[1]!];
      if (value === undefined) throw new Error(`\`env.${m[1]}\` is not set`);
      return value;
    }
    if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(text))) {
      return this.stepById(m[1]!).outputs[m[2]!] ?? '';
    }
    if ((m = /^steps\.([\w-]+)\.outcome$/.exec(text))) return this.stepById(m[1]!).outcome;
    if ((m = /^matrix\.([\w-]+)\s*==\s*'([^']*)'$/.exec(text))) {
      const value = this.options.matrix[m[1]!];
      if (value === undefined) throw new Error(`\`matrix.${m[1]}\` is not in this run's matrix`);
      return value === m[2];
    }
    if (text === 'failure()') return this.failed;
    if (text === 'success()') return !this.failed;
    throw new Error(
      `the workflow runner cannot evaluate \`${text}\`: teach __tests__/repo/workflow-runner.ts`,
    );
  }

  private stepById(id: string): StepRun {
    const step = this.steps.find((s) => s.id === id);
    if (!step) throw new Error(`no step with id \`${id}\` has run yet`);
    return step;
  }
}
