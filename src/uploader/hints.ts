// What to do about the uploader's failures, as data (src/common/hint.ts): each entry point names the
// inputs in its own terms. __tests__/app/hints.test.ts renders every one in both vocabularies.
import { alternative, hint, input, setting } from '../common/hint.js';

const RERUN_WITH_REUSE = hint`a re-run with ${setting('on-conflict', 'reuse')}`;
const POLICY_IS_FAIL = alternative({
  action: 'on-conflict is `fail`',
  cli: 'the policy is --on-conflict fail',
});

export const UPLOADER_HINTS = {
  ownName: hint`give each build its own name (e.g. the matrix leg in ${input('name')}), or publish one at a time (${alternative(
    { action: 'a workflow `concurrency:` group', cli: 'one command at a time' },
  )})`,
  oneRunAtATime: alternative({
    action: 'make sure one run at a time publishes this name (a workflow `concurrency:` group)',
    cli: 'make sure one run at a time publishes this name',
  }),
  takeExisting: hint`${POLICY_IS_FAIL}; use ${setting('on-conflict', 'reuse')} to take the existing image as the result`,
  useAnotherName: hint`use another name, or ${setting('on-conflict', 'suffix')} to upload under the next free name (existing images are never changed)`,
  resumeOrRestart: hint`${POLICY_IS_FAIL}; use ${setting('on-conflict', 'reuse')} to resume or restart it, or another name`,
  startsOver: hint`${RERUN_WITH_REUSE} deletes this job and starts over`,
  restarts: hint`${RERUN_WITH_REUSE} starts over`,
  startsItOver: hint`${RERUN_WITH_REUSE} starts it over`,
  noEncryption: hint`Check that the account supports payload encryption, or turn it off (${setting('encrypt-payload', 'false')})`,
};
