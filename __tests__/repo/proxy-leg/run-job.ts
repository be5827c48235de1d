// Runs the proxy leg of self-test.yml with the workflow runner and prints its steps as JSON on the last
// line of stdout. __tests__/repo/self-test-proxy.test.ts runs it inside a private network namespace.
// usage: tsx run-job.ts <runner temp dir>
import { join } from 'node:path';
import { loadSelfTestJob } from '../self-test-job.js';

const runnerTemp = process.argv[2];
if (!runnerTemp) throw new Error('usage: tsx run-job.ts <runner temp dir>');
const job = await loadSelfTestJob('proxy', runnerTemp, { PROXY_LOG_DIR: join(runnerTemp, 'proxy-log') });
try {
  await job.run();
} finally {
  job.stopBackgroundProcesses();
}
console.log(JSON.stringify({ failed: job.failed, steps: job.steps }));
