// Run in a child process by __tests__/client/hostile-memory.test.ts: one client call against a hostile
// emulator, sampling this process's peak RSS meanwhile. Prints {"message", "peakRssMiB"} as JSON.
//   node --import tsx hostile-client.ts <api-host> <api-key> <list-images|get-job:<id>|list-jobs-all>
import { Agent } from 'undici';
import { UpdateServiceClient } from '../../src/client/client.js';

const [apiHost, apiKey, call] = process.argv.slice(2) as [string, string, string];
const dispatcher = new Agent({ connections: 1 });
const client = new UpdateServiceClient({
  baseUrl: new URL(apiHost),
  apiKey,
  dispatcher,
  userAgent: 'hostile-memory',
  requestTimeoutMs: 30_000,
});

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const calls: Record<string, () => Promise<unknown>> = {
  'list-images': () => client.listFirmwareImages(),
  'get-job': () => client.getUploadJob(call.split(':')[1] ?? ''),
  'list-jobs-all': () => client.allUploadJobs(),
};
const outcome = await (
  calls[call.split(':')[0] ?? ''] ?? (() => Promise.reject(new Error(`no call ${call}`)))
)().then(
  () => 'no error',
  (error: Error) => error.message,
);
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await dispatcher.destroy();
console.log(JSON.stringify({ message: outcome, peakRssMiB: Math.round(peak / 2 ** 20) }));
