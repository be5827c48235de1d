// The campaign action's entry point (campaign/action.yml): with src/main.ts the only place that touches
// @actions/core and process state for it. Everything else is runCampaign() and the report modules.
import * as core from '@actions/core';
import { context } from '@actions/github';
import {
  campaignClientFor,
  CampaignFailure,
  prepareCampaign,
  runCampaign,
  type CampaignEvent,
  type CampaignResult,
} from './campaign/index.js';
import { createDispatcher, redactSecret } from './client/index.js';
import { systemClock } from './common/clock.js';
import { parseCampaignSettings, type Provenance } from './inputs/index.js';
import { neutralise } from './common/neutralise.js';
import { actionLogger } from './main.js';
import {
  campaignOutputsFor,
  CampaignProgress,
  campaignSummaryMarkdown,
  describeFailure,
  failureLine,
  type RetryRecord,
} from './report/index.js';

/** GitHub sends SIGINT, then SIGTERM 7.5 s later: we must be gone before that. */
const EXIT_AFTER_CANCEL_MS = 5000;

export async function run(): Promise<void> {
  // Masked before anything else can log.
  const apiKey = (core.getInput('api-key') || process.env.MBED_CLOUD_SDK_API_KEY || '').trim();
  if (apiKey) core.setSecret(apiKey);
  const redact = (text: string) => redactSecret(text, apiKey);
  // One line per message: text from the service (a name, a reason) can never start a workflow command.
  const safe = (text: string) => neutralise(redact(text));
  const logger = actionLogger(safe);
  const controller = new AbortController();
  const stopWatchingSignals = watchSignals(controller);
  const retries: RetryRecord[] = [];
  let apiHost: URL | undefined;
  let closeDispatcher: () => Promise<void> = async () => {};
  try {
    const settings = parseCampaignSettings((name) => core.getInput(name), process.env);
    apiHost = settings.apiHost;
    const { request, nameWarning } = prepareCampaign(settings, provenanceFromContext());
    if (nameWarning) logger.warning(nameWarning);
    logger.info(
      `manifest: ${request.manifestPath} as "${request.manifestName}"; campaign "${request.campaignName}"; ` +
        `devices: ${request.deviceFilter}; service: ${settings.apiHost.origin}` +
        (request.dryRun ? '; DRY RUN: nothing will be created, changed or started' : ''),
    );
    const dispatcher = createDispatcher({ proxyFromEnv: true, env: process.env });
    closeDispatcher = () => dispatcher.destroy();
    const client = campaignClientFor(settings, { dispatcher, signal: controller.signal, logger });
    const progress = new CampaignProgress({ clock: systemClock, emit: logger.info });
    const result = await runCampaign(request, {
      client,
      logger,
      clock: systemClock,
      signal: controller.signal,
      onEvent: (event: CampaignEvent) => {
        progress.handle(event);
        if (event.type === 'retry') {
          const { operation, attempt, delayMs, error } = event;
          retries.push({ operation, attempt, delayMs, message: redact(error.message) });
        }
      },
    });
    logger.info(result.conclusion);
    setOutputs(result);
    await writeSummary(campaignSummaryMarkdown({ result, apiHost: settings.apiHost, retries }), redact);
  } catch (error) {
    const failure = describeFailure(error);
    if (core.isDebug() && error instanceof Error && error.stack) core.debug(safe(error.stack));
    core.setFailed(safe(failureLine(failure)));
    if (error instanceof CampaignFailure && apiHost) {
      setOutputs(error.result);
      await writeSummary(
        campaignSummaryMarkdown({ result: error.result, apiHost, failure, retries }),
        redact,
      );
    }
  } finally {
    await closeDispatcher().catch(() => {});
    stopWatchingSignals();
  }
}

function setOutputs(result: CampaignResult): void {
  for (const [name, value] of Object.entries(campaignOutputsFor(result))) core.setOutput(name, value);
}

function provenanceFromContext(): Provenance {
  const optional = <T>(value: T) => (value === '' || Number.isNaN(value) ? undefined : value);
  return {
    repository: optional(process.env.GITHUB_REPOSITORY ?? ''),
    sha: optional(context.sha ?? ''),
    ref: optional(context.ref ?? ''),
    serverUrl: optional(context.serverUrl ?? ''),
    runId: optional(context.runId),
    runAttempt: optional(context.runAttempt),
    workflow: optional(context.workflow ?? ''),
    actor: optional(context.actor ?? ''),
  };
}

/** On SIGINT/SIGTERM: stop waiting (the campaign itself runs on), and be gone before the runner kills us. */
function watchSignals(controller: AbortController): () => void {
  let failsafe: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.exitCode = 1;
    core.warning(
      `cancelled (${signal}): stopping the wait; the update campaign is NOT stopped and keeps running`,
    );
    controller.abort(new Error(`cancelled by ${signal}`));
    failsafe = setTimeout(() => process.exit(1), EXIT_AFTER_CANCEL_MS);
    failsafe.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (failsafe) clearTimeout(failsafe);
  };
}

async function writeSummary(markdown: string, redact: (text: string) => string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written');
    return;
  }
  try {
    await core.summary.addRaw(redact(markdown)).write();
  } catch (error) {
    core.warning(`could not write the job summary: ${redact((error as Error).message)}`);
  }
}
