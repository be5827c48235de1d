// Runs the proxy leg of self-test.yml with the workflow runner and prints its steps as JSON on the last
// line of stdout. __tests__/repo/self-test-proxy.test.ts runs it inside a private network namespace.
// usage: tsx run-job.ts <runner temp dir>
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/lib/run-action.js';
import { JobRun } from '../workflow-runner.js';

const runnerTemp = process.argv[2];
if (!runnerTemp) throw new Error('usage: tsx run-job.ts <runner temp dir>');
const job = await JobRun.load(join(PROJECT_ROOT, '.github', 'workflows', 'self-test.yml'), 'self-test', {
  matrix: { network: 'proxy' },
  envOverrides: { IMAGES: join(runnerTemp, 'images'), PROXY_LOG_DIR: join(runnerTemp, 'proxy-log') },
  skip: (s) => (typeof s.uses === 'string' && !s.uses.startsWith('./')) || s.id === 'install',
  runnerTemp,
});
try {
  await job.run();
} finally {
  job.stopBackgroundProcesses();
}
console.log(JSON.stringify({ failed: job.failed, steps: job.steps }));
