// What both actions (action.yml, campaign/action.yml) do alike with @actions/core and the process: mask
// the key, log safely, turn signals into the cancel policy, write the job summary, report a failure.
// Only the entry adapters (src/main.ts, src/campaign-main.ts) import this.
import * as core from '@actions/core';
import { CancelPolicy, type RunBasics } from '../app/index.js';
import { redactSecret } from '../client/index.js';
import type { Logger } from '../common/logger.js';
import { neutralise } from '../common/neutralise.js';
import { githubProvenance, resolveApiKey } from '../inputs/index.js';
import { runnerContext } from '../github-context.js';
import { describeFailure, failureLine, type FailureDescription, type RetryRecord } from '../report/index.js';

export interface ActionRun {
  /** Scrubs the key from text we did not write ourselves. */
  redact: (text: string) => string;
  /** Redacted, then neutralised: for every log line, annotation and failure message. */
  safe: (text: string) => string;
  logger: Logger;
  cancel: CancelPolicy;
  /** What every run of an action gets: the runner's provenance, the safe logger, the cancel signal, the env. */
  basics: RunBasics;
  /** Call when the run is over: stops watching signals, disarms the deadline. */
  end: () => void;
}

/**
 * Masks the key before anything else can log (the key the parser will use: resolveApiKey), builds the
 * safe logger, and turns SIGINT/SIGTERM into the cancel policy. `onSignal` says what a cancel leaves.
 */
export function startActionRun(onSignal: (signal: string, logger: Logger) => void): ActionRun {
  const apiKey = resolveApiKey(core.getInput('api-key'), process.env);
  if (apiKey) core.setSecret(apiKey);
  const redact = (text: string) => redactSecret(text, apiKey);
  // No key, and no workflow command, whatever a message was built from.
  const safe = (text: string) => neutralise(redact(text));
  const logger = actionLogger(safe);
  const cancel = new CancelPolicy({
    exit: () => process.exit(1),
    onSignal: (signal) => {
      process.exitCode = 1;
      onSignal(signal, logger);
    },
  });
  process.on('SIGINT', cancel.onSignal);
  process.on('SIGTERM', cancel.onSignal);
  const end = () => {
    process.off('SIGINT', cancel.onSignal);
    process.off('SIGTERM', cancel.onSignal);
    // The run finished and closed its connections: the process ends by itself now.
    cancel.dispose();
  };
  const basics = {
    provenance: githubProvenance(runnerContext()),
    logger,
    signal: cancel.signal,
    env: process.env,
  };
  return { redact, safe, logger, cancel, basics, end };
}

/**
 * Every log line goes through `safe` (redacted, then neutralised): the key stays out even if some text
 * carries it, and no value, whatever it holds, can start a workflow command or a new line.
 */
export function actionLogger(safe: (text: string) => string): Logger {
  return {
    debug: (message) => core.debug(safe(message)),
    info: (message) => core.info(safe(message)),
    warning: (message) => core.warning(safe(message)),
    error: (message) => core.error(safe(message)),
    group: (title, fn) => core.group(safe(title), fn),
  };
}

/** Fails the step with one line (message and what to do, in the action's terms); the stack in debug. */
export function failStep(error: unknown, run: ActionRun): FailureDescription {
  const failure = describeFailure(error);
  if (core.isDebug() && error instanceof Error && error.stack) run.logger.debug(error.stack);
  core.setFailed(run.safe(failureLine(failure)));
  return failure;
}

/** The job summary; GitHub only offers one to a step when GITHUB_STEP_SUMMARY is set. */
export async function writeSummary(markdown: string, run: ActionRun): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    run.logger.debug('GITHUB_STEP_SUMMARY is not set: no job summary written');
    return;
  }
  try {
    // The summary builders escape (and neutralise) every value; the markdown keeps its own newlines.
    await core.summary.addRaw(run.redact(markdown)).write();
  } catch (error) {
    run.logger.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}

export function setOutputs(outputs: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.setOutput(name, value);
}

/** A retry for the summary's log of them (the error's text redacted). */
export function retryRecord(
  event: { operation: string; attempt: number; delayMs: number; error: Error },
  redact: (t: string) => string,
): RetryRecord {
  const { operation, attempt, delayMs, error } = event;
  return { operation, attempt, delayMs, message: redact(error.message) };
}
