// The self-test job of .github/workflows/self-test.yml, loaded for one leg of its matrix, as both
// self-test tests run it: checkout, setup-node and `npm ci` left out (this checkout is prepared already),
// images in the runner's temp directory, and the environment overrides a leg needs.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { JobRun } from './workflow-runner.js';

export const SELF_TEST_WORKFLOW = join(PROJECT_ROOT, '.github', 'workflows', 'self-test.yml');

export function loadSelfTestJob(
  network: 'direct' | 'proxy',
  runnerTemp: string,
  envOverrides: Record<string, string> = {},
): Promise<JobRun> {
  return JobRun.load(SELF_TEST_WORKFLOW, 'self-test', {
    matrix: { network },
    envOverrides: { IMAGES: join(runnerTemp, 'images'), ...envOverrides },
    skip: (s) => (typeof s.uses === 'string' && !s.uses.startsWith('./')) || s.id === 'install',
    runnerTemp,
  });
}
