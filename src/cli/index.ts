#!/usr/bin/env node
// The `izuma-firmware-publish` command: wires the process (argv, env, streams, signals) to runCli.
import { neutralise } from '../common/neutralise.js';
import { runCli } from './run.js';

/** A cancelled upload must end within this long even if a request ignores the abort. */
const EXIT_DEADLINE_MS = 4000;

// stdout carries only our results (--json is parsed by scripts). @actions/glob logs through @actions/core,
// which writes GitHub workflow commands (::debug::…) to process.stdout: drop those, send anything else
// a library prints to stderr.
const stdout = { write: process.stdout.write.bind(process.stdout) };
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  String(chunk).startsWith('::debug::') ||
  process.stderr.write(chunk, ...rest)) as typeof process.stdout.write;

const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (controller.signal.aborted) process.exit(1); // a second Ctrl-C: stop waiting
  process.stderr.write(`\n${signal}: cancelling; run the same command again to resume the upload\n`);
  controller.abort(new Error(`cancelled by ${signal}`));
  setTimeout(() => process.exit(1), EXIT_DEADLINE_MS).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout,
    stderr: process.stderr,
    isTTY: process.stderr.isTTY === true,
    signal: controller.signal,
    cwd: process.cwd(),
  });
} catch (error) {
  // runCli reports every expected failure itself; this is a bug, so say so without hiding it.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`error: unexpected failure: ${text.split('\n').map(neutralise).join('\n')}\n`);
  process.exitCode = 1;
}
