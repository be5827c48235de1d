#!/usr/bin/env node
// The `izuma-firmware-publish` command: wires the process (argv, env, streams, signals) to runCli.
import { CancelPolicy } from '../app/index.js';
import { neutralise } from '../common/neutralise.js';
import { runnerContext } from '../github-context.js';
import { runCli } from './run.js';
import { watchOutputs } from './streams.js';

// The one cancel policy (src/app/cancel.ts): the upload or the wait stops (the job and any campaign are
// kept: a re-run resumes), the process ends within CANCEL_DEADLINE_MS, and a second Ctrl-C ends it at once.
const policy = new CancelPolicy({
  exit: () => process.exit(process.exitCode ?? 1),
  onSignal: (signal) => stderr.write(`\n${signal}: cancelling; run the same command again to resume\n`),
});
const cancel = (reason: string) => policy.cancel(reason);

// A closed reader (`| head -1`) ends the run quietly, like Ctrl-C. Any other write failure (a full disk
// under `> out.json`) means output was lost: the run fails, said on stderr when stdout was the loser
// (never the other way round: stdout is for results only).
let undelivered = false;
const { stdout, stderr } = watchOutputs(
  {
    stdout: { write: process.stdout.write.bind(process.stdout), on: process.stdout.on.bind(process.stdout) },
    stderr: { write: process.stderr.write.bind(process.stderr), on: process.stderr.on.bind(process.stderr) },
  },
  (loss) => {
    if (!loss.readerGone) {
      undelivered = true;
      if (process.exitCode === 0) process.exitCode = 1; // the loss was seen after runCli had returned
      if (loss.stream === 'stdout') stderr.write(`error: cannot write to stdout (${loss.code})\n`);
    }
    cancel(`${loss.stream} closed (${loss.code})`);
  },
);

// stdout carries only our results (--json is parsed by scripts). @actions/glob logs through @actions/core,
// which writes GitHub workflow commands (::debug::…) to process.stdout: drop those, send anything else
// a library prints to stderr.
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  String(chunk).startsWith('::debug::') ||
  process.stderr.write(chunk, ...rest)) as typeof process.stdout.write;

process.on('SIGINT', policy.onSignal);
process.on('SIGTERM', policy.onSignal);

try {
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout,
    stderr,
    isTTY: process.stderr.isTTY === true,
    signal: policy.signal,
    cwd: process.cwd(),
    githubContext: runnerContext,
  });
  process.exitCode = undelivered && code === 0 ? 1 : code;
} catch (error) {
  // runCli reports every expected failure itself; this is a bug, so say so without hiding it.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(`error: unexpected failure: ${text.split('\n').map(neutralise).join('\n')}\n`);
  process.exitCode = 1;
}
