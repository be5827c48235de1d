// The CLI as its tests call it: the publish arguments, and the bundle (dist/cli/index.js, what the
// package's `bin` points at) started as a child process with nothing of this process's environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';

export const CLI_BUNDLE = join(PROJECT_ROOT, 'dist', 'cli', 'index.js');

/** `publish` of `image` under `name` in 5 MiB chunks to `apiHost`, then `more`. */
export const publishArgs = (image: string, name: string, apiHost: string, ...more: string[]) => [
  'publish',
  '--image',
  image,
  '--name',
  name,
  '--chunk-size',
  '5MiB',
  '--api-host',
  apiHost,
  ...more,
];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface BundledCliOptions {
  cwd: string;
  /** Given as IZUMA_API_KEY, beside PATH: the only environment the CLI gets. */
  apiKey: string;
  /** Sees the stderr read so far, each time more arrives. */
  onStderr?: (soFar: string, child: ChildProcess) => void;
}

/** Starts the bundled CLI; `result` settles when it has exited and its streams are closed. */
export function startBundledCli(args: string[], options: BundledCliOptions) {
  const child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, IZUMA_API_KEY: options.apiKey },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    options.onStderr?.(stderr, child);
  });
  const result = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, result };
}
