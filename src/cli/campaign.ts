// The `campaign` command: the campaign step from any CI or a terminal. Same settings parser, same
// runCampaign(), same outputs as the action; its own options and exit codes.
import { Command } from 'commander';
import { campaignClientFor, CampaignFailure, prepareCampaign, runCampaign } from '../campaign/index.js';
import { createDispatcher } from '../client/index.js';
import { systemClock } from '../common/clock.js';
import { neutralise } from '../common/neutralise.js';
import { InputError, parseCampaignSettings } from '../inputs/index.js';
import { campaignOutputsFor, CampaignProgress, describeFailure, failureLine } from '../report/index.js';
import { EXIT, inCliTerms } from './options.js';
import { CliOutput, formatOutputs, jsonLine, type TextStream } from './output.js';
import { cliProvenance } from './provenance.js';

/** What `campaign` was given, as commander parses it. */
export interface CampaignOptions {
  manifest: string;
  deviceFilter: string;
  manifestName?: string;
  campaignName?: string;
  start: boolean;
  wait?: boolean;
  timeout?: string;
  minSuccessPercent?: string;
  maxFailedDevices?: string;
  retries?: string;
  requestTimeout?: string;
  dryRun?: boolean;
  apiHost?: string;
  apiKeyFile?: string;
  json?: boolean;
  verbose?: boolean;
}

/** The CLI option that supplies each action input of the campaign step: error messages name these. */
const OPTION_FOR_CAMPAIGN_INPUT: Record<string, string> = {
  'manifest-path': '--manifest',
  'manifest-name': '--manifest-name',
  'campaign-name': '--campaign-name',
  'device-filter': '--device-filter',
  start: '--no-start',
  wait: '--wait',
  timeout: '--timeout',
  'min-success-percent': '--min-success-percent',
  'max-failed-devices': '--max-failed-devices',
};

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
  program
    .command('campaign')
    .description(
      'Upload an update manifest, create and start an update campaign for the devices a filter matches, ' +
        'optionally wait for the rollout and gate on its result. A re-run resumes instead of duplicating.',
    )
    .requiredOption('--manifest <path>', 'the manifest file manifest-dev-tool create wrote (at most 2 KB)')
    .requiredOption(
      '--device-filter <filter>',
      "the service's device filter, e.g. device_class__eq=<c>&vendor_id__eq=<v>",
    )
    .option('--manifest-name <name>', 'manifest name (default: file name + tag or short commit)')
    .option('--campaign-name <name>', 'campaign name (default: the manifest name)')
    .option('--no-start', 'create the campaign as a draft; do not start it')
    .option('--wait', 'wait for the rollout to end and apply the gates')
    .option('--timeout <minutes>', 'the longest to wait (default: 60)')
    .option(
      '--min-success-percent <percent>',
      'with --wait: the share of devices that must update (default: 100)',
    )
    .option('--max-failed-devices <n>', 'with --wait: stop the campaign and fail when more devices fail')
    .option('--retries <n>', 'extra attempts for a failed request (default: 5)')
    .option(
      '--request-timeout <seconds>',
      'give up on a request with no bytes moving this long (default: 300)',
    )
    .option('--dry-run', 'count the devices, check the manifest and names, change nothing')
    .option(
      '--api-host <url>',
      'API base URL (default: MBED_CLOUD_SDK_HOST or https://api.us-east-1.mbedcloud.com)',
    )
    .option('--api-key-file <file>', 'read the access key from this file (default: IZUMA_API_KEY)')
    .option('--json', 'print the outputs as one JSON object on stdout, and nothing else on stdout')
    .option('--verbose', 'debug lines (requests, retries) on stderr')
    .addHelpText('after', CAMPAIGN_HELP)
    .action((options: CampaignOptions) => onCampaign(options));
  return program;
}

function campaignInputReader(options: CampaignOptions, apiKey: string): (input: string) => string {
  const byInput: Record<string, string | undefined> = {
    'api-key': apiKey,
    'api-host': options.apiHost,
    'manifest-path': options.manifest,
    'manifest-name': options.manifestName,
    'campaign-name': options.campaignName,
    'device-filter': options.deviceFilter,
    start: options.start ? 'true' : 'false',
    wait: options.wait ? 'true' : undefined,
    timeout: options.timeout,
    'min-success-percent': options.minSuccessPercent,
    'max-failed-devices': options.maxFailedDevices,
    retries: options.retries,
    'request-timeout': options.requestTimeout,
    'dry-run': options.dryRun ? 'true' : undefined,
  };
  return (input) => byInput[input] ?? '';
}

/** Messages name the action's inputs; the CLI's user knows its options. */
function inCampaignCliTerms(text: string): string {
  const named = text.replace(/^Input `([\w-]+)`: /, (whole, input: string) =>
    OPTION_FOR_CAMPAIGN_INPUT[input] ? `${OPTION_FOR_CAMPAIGN_INPUT[input]}: ` : whole,
  );
  return inCliTerms(named).replace(
    /`([\w-]+)`/g,
    (whole, input: string) => OPTION_FOR_CAMPAIGN_INPUT[input] ?? whole,
  );
}

export interface CampaignCliContext {
  env: Record<string, string | undefined>;
  stdout: TextStream;
  stderr: TextStream;
  isTTY: boolean;
  signal?: AbortSignal;
  cwd?: string;
  /** The access key as found (file or environment); the caller scrubs it from everything written. */
  apiKey: string;
}

/** Runs `campaign`; resolves to the exit code. */
export async function runCampaignCommand(options: CampaignOptions, ctx: CampaignCliContext): Promise<number> {
  const output = new CliOutput(ctx.stderr, {
    isTTY: false,
    verbose: options.verbose === true,
    clock: systemClock,
  });
  const { logger } = output;
  const printOutputs = (outputs: Record<string, string | undefined>) =>
    ctx.stdout.write(options.json ? `${jsonLine(outputs)}\n` : formatOutputs(outputs));
  // With --json a failure is one object on stdout too: the outputs known so far, the error, the exit code.
  const fail = (code: number, message: string, outputs: Record<string, string | undefined> = {}) => {
    ctx.stderr.write(`error: ${neutralise(message)}\n`);
    if (options.json) ctx.stdout.write(`${jsonLine({ ...outputs, error: message, exit_code: code })}\n`);
    else if (Object.keys(outputs).length > 0) ctx.stdout.write(formatOutputs(outputs));
    return code;
  };
  try {
    const settings = parseCampaignSettings(campaignInputReader(options, ctx.apiKey), ctx.env);
    const provenance = await cliProvenance(ctx.env, ctx.cwd ?? process.cwd());
    const { request, nameWarning } = prepareCampaign(settings, provenance);
    if (nameWarning) logger.warning(inCliTerms(nameWarning));
    const dispatcher = createDispatcher({ proxyFromEnv: true, env: ctx.env });
    try {
      const client = campaignClientFor(settings, { dispatcher, signal: ctx.signal, logger });
      logger.info(
        `${request.dryRun ? 'dry run: checking' : 'rolling out'} ${request.manifestPath} as "${request.manifestName}" ` +
          `to \`${request.deviceFilter}\` on ${settings.apiHost.origin}`,
      );
      const progress = new CampaignProgress({ clock: systemClock, emit: logger.info });
      const result = await runCampaign(request, {
        client,
        logger,
        clock: systemClock,
        signal: ctx.signal,
        onEvent: progress.handle,
      });
      logger.info(result.conclusion);
      printOutputs(campaignOutputsFor(result));
      return EXIT.ok;
    } finally {
      await dispatcher.close();
    }
  } catch (error) {
    if (error instanceof InputError) return fail(EXIT.usage, inCampaignCliTerms(error.message));
    if (options.verbose && error instanceof Error && error.stack) {
      ctx.stderr.write(`${error.stack.split('\n').map(neutralise).join('\n')}\n`);
    }
    const outputs =
      error instanceof CampaignFailure && error.result.campaignId ? campaignOutputsFor(error.result) : {};
    return fail(EXIT.failed, inCampaignCliTerms(failureLine(describeFailure(error))), outputs);
  }
}
