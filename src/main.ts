import * as core from '@actions/core';
import { createDispatcher, redactSecret } from './client/index.js';
import { systemClock } from './common/clock.js';
import { formatBytes } from './common/bytes.js';
import { neutralise } from './common/neutralise.js';
import type { Logger } from './common/logger.js';
import { githubProvenance, parseSettings, type Settings } from './inputs/index.js';
import {
  describeFailure,
  failureLine,
  outputsFor,
  ProgressReporter,
  summaryMarkdown,
  type RetryRecord,
  type SummaryInput,
  type WaitRecord,
} from './report/index.js';
import {
  clientFor,
  preparePublish,
  publish,
  type Phase,
  type PublishRequest,
  type PublishResult,
  type UploadEvent,
} from './uploader/index.js';

/** GitHub sends SIGINT, then SIGTERM 7.5 s later: we must be gone before that. */
const EXIT_AFTER_CANCEL_MS = 5000;

const PHASE_GROUPS: Partial<Record<Phase, string>> = {
  'check-name': 'Check the name',
  upload: 'Upload',
  complete: 'Complete and verify',
};

interface RunInfo {
  imagePath?: string;
  name?: string;
  warnings: string[];
  retries: RetryRecord[];
  waits: WaitRecord[];
}

/** The action's entry point: the only place that touches @actions/core and process state. */
export async function run(): Promise<void> {
  // Masked before anything else can log: a key must never reach the log, even inside an error message.
  const apiKey = (core.getInput('api-key') || process.env.MBED_CLOUD_SDK_API_KEY || '').trim();
  if (apiKey) core.setSecret(apiKey);
  const redact = (text: string) => redactSecret(text, apiKey);
  // Every line we write from text we did not write ourselves: no key, and no workflow command.
  const safe = (text: string) => neutralise(redact(text));
  const logger = actionLogger(safe);
  const controller = new AbortController();
  const progress = new UploadTracker();
  const stopWatchingSignals = watchSignals(controller, progress, logger);
  // What the summary tells besides the result; filled in as the run goes, so a failure can show it too.
  const runInfo: RunInfo = { warnings: [], retries: [], waits: [] };
  let closeDispatcher: () => Promise<void> = async () => {};
  try {
    const settings = parseSettings((name) => core.getInput(name), process.env);
    const request = await core.group('Prepare', () => prepare(settings, logger, runInfo));
    const dispatcher = createDispatcher({ proxyFromEnv: true, env: process.env });
    closeDispatcher = () => dispatcher.destroy();
    const client = clientFor(settings, { dispatcher, signal: controller.signal, logger });
    const groups = new PhaseGroups();
    const reporter = new ProgressReporter({ clock: systemClock, emit: logger.info });
    const result = await publish(request, {
      client,
      logger,
      clock: systemClock,
      signal: controller.signal,
      onEvent: (event) => {
        groups.handle(event);
        progress.handle(event);
        reporter.handle(event);
        if (event.type === 'retry') runInfo.retries.push(retryRecord(event, redact));
        if (event.type === 'waited') runInfo.waits.push(event);
      },
    }).finally(() => groups.close());
    logger.info(resultLine(result));
    for (const [name, value] of Object.entries(outputsFor(result))) core.setOutput(name, value);
    await writeSummary({ kind: 'success', result, ...runInfo }, redact, logger);
  } catch (error) {
    const failure = describeFailure(error);
    if (core.isDebug() && error instanceof Error && error.stack) logger.debug(error.stack);
    core.setFailed(safe(failureLine(failure)));
    await writeSummary({ kind: 'failure', ...failure, ...runInfo }, redact, logger);
  } finally {
    await closeDispatcher().catch(() => {});
    stopWatchingSignals();
  }
}

/** Locates the image and settles the name and description; logs what a run will use (never the key). */
async function prepare(settings: Settings, logger: Logger, runInfo: RunInfo): Promise<PublishRequest> {
  const { request, imageSize, nameWarning } = await preparePublish(settings, githubProvenance(process.env));
  runInfo.imagePath = request.imagePath;
  runInfo.name = request.name;
  if (nameWarning) {
    logger.warning(nameWarning);
    runInfo.warnings.push(nameWarning);
  }
  logger.info(`image: ${request.imagePath} (${formatBytes(imageSize)}, ${imageSize} bytes)`);
  logger.info(`name: ${request.name}${settings.name === undefined ? ' (default)' : ''}`);
  logger.info(
    `service: ${settings.apiHost.origin}; chunk size ${formatBytes(settings.chunkSize)}; ` +
      `on-conflict ${settings.onConflict}; retries ${settings.retries}` +
      (settings.dryRun ? '; DRY RUN: nothing will be created, changed or deleted' : ''),
  );
  return request;
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

/** Opens a log group per uploader phase; GitHub's log groups do not nest, so one at a time. */
class PhaseGroups {
  private open = false;

  handle(event: UploadEvent): void {
    if (event.type !== 'phase') return;
    const title = PHASE_GROUPS[event.phase];
    if (title === undefined) return;
    this.close();
    core.startGroup(title);
    this.open = true;
  }

  close(): void {
    if (this.open) core.endGroup();
    this.open = false;
  }
}

/** Where the upload stands, for the cancellation message. */
class UploadTracker {
  jobId: string | undefined;
  chunksDone = 0;
  chunkCount = 0;

  handle(event: UploadEvent): void {
    if (event.type === 'job-created') this.jobId = event.jobId;
    if (event.type === 'job-resumed') {
      this.jobId = event.jobId;
      this.chunkCount = event.chunkCount;
    }
    if (event.type === 'chunk-sent' || event.type === 'chunk-skipped') {
      this.chunksDone = event.index;
      this.chunkCount = event.total;
    }
  }

  describe(): string {
    if (this.jobId === undefined) return 'no upload job had been created yet; nothing to resume';
    return (
      `upload job ${this.jobId} holds ${this.chunksDone} of ${this.chunkCount || '?'} chunks; ` +
      're-run the workflow with the same inputs to resume it'
    );
  }
}

/**
 * On SIGINT/SIGTERM: abort the request in flight, say where the upload stood, and make sure the process
 * is gone within EXIT_AFTER_CANCEL_MS even if something does not let go. Returns the cleanup.
 */
function watchSignals(controller: AbortController, tracker: UploadTracker, logger: Logger): () => void {
  let failsafe: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.exitCode = 1;
    logger.warning(`cancelled (${signal}): ${tracker.describe()}`);
    controller.abort(new Error(`cancelled by ${signal}`));
    failsafe = setTimeout(() => process.exit(1), EXIT_AFTER_CANCEL_MS);
    failsafe.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // run() finished and closed its connections: the process ends by itself now.
    if (failsafe) clearTimeout(failsafe);
  };
}

function retryRecord(
  event: Extract<UploadEvent, { type: 'retry' }>,
  redact: (t: string) => string,
): RetryRecord {
  const { operation, attempt, delayMs, error } = event;
  return { operation, attempt, delayMs, message: redact(error.message) };
}

function resultLine(result: PublishResult): string {
  switch (result.outcome) {
    case 'dry-run':
      return `dry run done: a real run would ${result.dryRunDecision?.description ?? 'upload'} (nothing was changed)`;
    case 'reused':
      return `firmware image "${result.name}" (${result.firmwareImageId}) already holds this file: reused it`;
    default:
      return `published firmware image "${result.name}" (${result.firmwareImageId}), verified: ${result.datafileSize} bytes, SHA-256 ${result.datafileChecksum}`;
  }
}

/** The job summary; GitHub only offers one to a step when GITHUB_STEP_SUMMARY is set. */
async function writeSummary(
  input: SummaryInput,
  redact: (text: string) => string,
  logger: Logger,
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    logger.debug('GITHUB_STEP_SUMMARY is not set: no job summary written');
    return;
  }
  try {
    // summaryMarkdown escapes (and neutralises) every value itself; the markdown keeps its own newlines.
    await core.summary.addRaw(redact(summaryMarkdown(input))).write();
  } catch (error) {
    logger.warning(`could not write the job summary: ${(error as Error).message}`);
  }
}
