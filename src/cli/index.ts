#!/usr/bin/env node
// The `izuma-firmware-publish` command: wires the process (argv, env, streams, signals) to runCli.
import { neutralise } from '../common/neutralise.js';
import { runCli } from './run.js';
import { watchOutputs } from './streams.js';

/** A cancelled upload must end within this long even if a request ignores the abort. */
const EXIT_DEADLINE_MS = 4000;

const controller = new AbortController();
/** Stops the upload, if one runs (the job is kept: a re-run resumes it), and bounds how long that takes. */
const cancel = (reason: string) => {
  if (controller.signal.aborted) return;
  controller.abort(new Error(reason));
  setTimeout(() => process.exit(process.exitCode ?? 1), EXIT_DEADLINE_MS).unref();
};

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

const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(1); // a second Ctrl-C: stop waiting
  stderr.write(`\n${signal}: cancelling; run the same command again to resume the upload\n`);
  cancel(`cancelled by ${signal}`);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout,
    stderr,
    isTTY: process.stderr.isTTY === true,
    signal: controller.signal,
    cwd: process.cwd(),
  });
  process.exitCode = undelivered && code === 0 ? 1 : code;
} catch (error) {
  // runCli reports every expected failure itself; this is a bug, so say so without hiding it.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(`error: unexpected failure: ${text.split('\n').map(neutralise).join('\n')}\n`);
  process.exitCode = 1;
}
