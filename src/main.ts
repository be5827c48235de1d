// The publish action's entry adapter (action.yml): reads the inputs, renders the run in the log, the
// outputs and the job summary. The run itself is composed by src/app/.
import * as core from '@actions/core';
import { runPublish } from './app/index.js';
import { actionVocabulary, render } from './common/hint.js';
import { formatBytes } from './common/bytes.js';
import { parseSettings } from './inputs/index.js';
import {
  outputsFor,
  ProgressReporter,
  summaryMarkdown,
  type RetryRecord,
  type WaitRecord,
} from './report/index.js';
import { systemClock } from './common/clock.js';
import { failStep, retryRecord, setOutputs, startActionRun, writeSummary } from './action/runtime.js';
import { PhaseGroups, resultLine, UploadTracker } from './action/publish-log.js';

export { actionLogger } from './action/runtime.js';

/** What the summary tells besides the result; filled in as the run goes, so a failure can show it too. */
interface RunInfo {
  imagePath?: string;
  name?: string;
  warnings: string[];
  retryLog: RetryRecord[];
  waits: WaitRecord[];
}

/** The action's entry point: with src/action/ the only place that touches @actions/core and process state. */
export async function run(): Promise<void> {
  const tracker = new UploadTracker();
  const action = startActionRun((signal, logger) =>
    logger.warning(`cancelled (${signal}): ${tracker.describe()}`),
  );
  const { logger, redact } = action;
  const runInfo: RunInfo = { warnings: [], retryLog: [], waits: [] };
  try {
    const settings = parseSettings((name) => core.getInput(name), process.env);
    const groups = new PhaseGroups();
    const reporter = new ProgressReporter({ clock: systemClock, emit: logger.info });
    const result = await runPublish(settings, {
      ...action.basics,
      prepareGroup: 'Prepare',
      onPrepared: ({ request, imageSize, nameWarning }) => {
        runInfo.imagePath = request.imagePath;
        runInfo.name = request.name;
        if (nameWarning) {
          const warning = render(nameWarning, actionVocabulary);
          logger.warning(warning);
          runInfo.warnings.push(warning);
        }
        logger.info(`image: ${request.imagePath} (${formatBytes(imageSize)}, ${imageSize} bytes)`);
        logger.info(`name: ${request.name}${settings.name === undefined ? ' (default)' : ''}`);
        logger.info(
          `service: ${settings.apiHost.origin}; chunk size ${formatBytes(settings.chunkSize)}; ` +
            `on-conflict ${settings.onConflict}; retries ${settings.maxRetries}` +
            (settings.dryRun ? '; DRY RUN: nothing will be created, changed or deleted' : ''),
        );
      },
      onEvent: (event) => {
        groups.handle(event);
        tracker.handle(event);
        reporter.handle(event);
        if (event.type === 'retry') runInfo.retryLog.push(retryRecord(event, redact));
        if (event.type === 'waited') runInfo.waits.push(event);
      },
    }).finally(() => groups.close());
    logger.info(resultLine(result));
    setOutputs(outputsFor(result));
    await writeSummary(summaryMarkdown({ kind: 'success', result, ...runInfo }), action);
  } catch (error) {
    const failure = failStep(error, action);
    await writeSummary(summaryMarkdown({ kind: 'failure', ...failure, ...runInfo }), action);
  } finally {
    action.end();
  }
}
