// What to do about the campaign step's failures, as data (src/common/hint.ts): each entry point names
// the inputs in its own terms. __tests__/app/hints.test.ts renders every one in both vocabularies.
import { alternative, hint, input } from '../common/hint.js';

const RERUN = alternative({ action: 're-run the step', cli: 'run the same command again' });

export const CAMPAIGN_HINTS = {
  manifestNameTaken: hint`set ${input('manifest-name')} to a name of its own for this release, or delete the old manifest`,
  campaignNameTaken: hint`set ${input('campaign-name')} to a name of its own for this device filter (e.g. one for the pilot, one for the fleet)`,
  noDevices: hint`check ${input('device-filter')} (e.g. \`device_class__eq=<class>&vendor_id__eq=<vendor>\`) against the device list`,
  cancelled: hint`${RERUN} to find this campaign and resume waiting`,
  tooManyFailed: hint`see failed_devices for each device and its reason; raise ${input('max-failed-devices')} to tolerate more`,
  belowGate: hint`see failed_devices for each device and its reason; ${input('min-success-percent')} sets the share that must update`,
  timedOut: hint`raise ${input('timeout')}, or ${RERUN}: it finds this campaign and resumes waiting`,
};
