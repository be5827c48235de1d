// The `campaign` command: the campaign step from any CI or a terminal. Same settings parser, same
// application layer (runCampaignStep), same outputs as the action; its own options and exit codes.
import { Command } from 'commander';
import { runCampaignStep } from '../app/index.js';
import { CampaignFailure } from '../campaign/index.js';
import { systemClock } from '../common/clock.js';
import { render } from '../common/hint.js';
import { neutralise } from '../common/neutralise.js';
import { parseCampaignSettings } from '../inputs/index.js';
import { campaignOutputsFor, CampaignProgress } from '../report/index.js';
import { explainFailure, reportFailure } from './failure.js';
import { addStepCommand, EXIT, inputReader, type ParsedOptions } from './options.js';
import { CliOutput, formatOutputs, jsonLine } from './output.js';

import { commandBasics } from './provenance.js';
import type { CommandContext } from './run.js';
import { cliVocabulary } from './terms.js';

export type CampaignOptions = ParsedOptions;

const CAMPAIGN_HELP = `
Exit codes:
  0  done (created, started, rolled out, resumed, or a dry run)
  1  failed: a gate (min-success-percent, max-failed-devices), the campaign stopped early, the wait timed
     out (the campaign runs on), cancelled (the campaign runs on), or a service error
  2  bad usage (an unknown option, a missing or invalid value)

The outputs (manifest_id, campaign_id, phase, devices_*, failed_devices, outcome) are printed on stdout,
on failure too, once a campaign exists.`;

export function addCampaignCommand(
  program: Command,
  onCampaign: (options: CampaignOptions) => void,
): Command {
  return addStepCommand(
    program,
    'campaign',
    {
      description:
        'Upload an update manifest, create and start an update campaign for the devices a filter matches, ' +
        'optionally wait for the rollout and gate on its result. A re-run resumes instead of duplicating.',
      helpAfter: CAMPAIGN_HELP,
    },
    onCampaign,
  );
}

/** Runs `campaign`; resolves to the exit code. */
export async function runCampaignCommand(options: CampaignOptions, ctx: CommandContext): Promise<number> {
  const output = new CliOutput(ctx.stderr, {
    isTTY: false,
    verbose: options.verbose === true,
    clock: systemClock,
  });
  const { logger } = output;
  const printOutputs = (outputs: Record<string, string | undefined>) =>
    ctx.stdout.write(options.json ? `${jsonLine(outputs)}\n` : formatOutputs(outputs));
  try {
    const settings = parseCampaignSettings(inputReader(options, ctx.givenKey, 'campaign'), ctx.env);
    const progress = new CampaignProgress({ clock: systemClock, emit: logger.info });
    const result = await runCampaignStep(settings, {
      ...(await commandBasics(ctx, logger)),
      onEvent: progress.handle,
      onPrepared: ({ request, nameWarning }) => {
        if (nameWarning) logger.warning(render(nameWarning, cliVocabulary));
        logger.info(
          `${request.dryRun ? 'dry run: checking' : 'rolling out'} ${request.manifestPath} as "${request.manifestName}" ` +
            `to \`${request.deviceFilter}\` on ${settings.apiHost.origin}`,
        );
      },
    });
    logger.info(result.conclusion);
    printOutputs(campaignOutputsFor(result));
    return EXIT.ok;
  } catch (error) {
    if (options.verbose && error instanceof Error && error.stack) {
      ctx.stderr.write(`${error.stack.split('\n').map(neutralise).join('\n')}\n`);
    }
    // The campaign itself says it was cancelled (and that it runs on): no "cancelled:" prefix here.
    const failure = explainFailure(error, undefined);
    const outputs =
      error instanceof CampaignFailure && error.result.campaignId ? campaignOutputsFor(error.result) : {};
    return reportFailure(ctx, failure, options.json === true, outputs);
  }
}
