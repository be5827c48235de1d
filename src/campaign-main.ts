// The campaign action's entry adapter (campaign/action.yml): reads the inputs, renders the run in the
// log, the outputs and the job summary. The run itself is composed by src/app/.
import * as core from '@actions/core';
import { runCampaignStep } from './app/index.js';
import { CampaignFailure } from './campaign/index.js';
import type { CampaignResult } from './campaign/index.js';
import { systemClock } from './common/clock.js';
import { actionVocabulary, render } from './common/hint.js';
import { parseCampaignSettings } from './inputs/index.js';
import {
  campaignOutputsFor,
  CampaignProgress,
  campaignSummaryMarkdown,
  type FailureDescription,
  type RetryRecord,
} from './report/index.js';
import { failStep, retryRecord, setOutputs, startActionRun, writeSummary } from './action/runtime.js';

export async function run(): Promise<void> {
  // Said at the signal, before the run knows where it stands: true whether or not a campaign exists yet.
  const action = startActionRun((signal, logger) =>
    logger.warning(
      `cancelled (${signal}): stopping the step; a cancel never stops an update campaign (the error says where it stands)`,
    ),
  );
  const { logger, redact } = action;
  const retryLog: RetryRecord[] = [];
  let apiHost: URL | undefined;
  const report = async (result: CampaignResult, failure?: FailureDescription) => {
    setOutputs(campaignOutputsFor(result));
    await writeSummary(campaignSummaryMarkdown({ result, apiHost: apiHost!, failure, retryLog }), action);
  };
  try {
    const settings = parseCampaignSettings((name) => core.getInput(name), process.env);
    apiHost = settings.apiHost;
    const progress = new CampaignProgress({ clock: systemClock, emit: logger.info });
    const result = await runCampaignStep(settings, {
      ...action.basics,
      onPrepared: ({ request, nameWarning }) => {
        if (nameWarning) logger.warning(render(nameWarning, actionVocabulary));
        logger.info(
          `manifest: ${request.manifestPath} as "${request.manifestName}"; campaign "${request.campaignName}"; ` +
            `devices: ${request.deviceFilter}; service: ${settings.apiHost.origin}` +
            (request.dryRun ? '; DRY RUN: nothing will be created, changed or started' : ''),
        );
      },
      onEvent: (event) => {
        progress.handle(event);
        if (event.type === 'retry') retryLog.push(retryRecord(event, redact));
      },
    });
    logger.info(result.conclusion);
    await report(result);
  } catch (error) {
    const failure = failStep(error, action);
    if (error instanceof CampaignFailure && apiHost) await report(error.result, failure);
  } finally {
    action.end();
  }
}
