// `npm run emulator -- --port <n> --api-key <key> [--data-dir d] [--faults f.json] [--latency-ms n]
//   [--bandwidth 100MiB] [--tls-cert f --tls-key f]`. The only emulator file touching process/signals.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkRule } from './faults.js';
import { DEFAULT_API_KEY, startEmulator } from './index.js';
import { parseBandwidth } from './shaping.js';
import type { DeviceSeed, EmulatorOptions, FaultRule } from './types.js';

const USAGE = `usage: npm run emulator -- [--port n] [--host 127.0.0.1] [--api-key key] [--data-dir dir]
  [--faults rules.json] [--latency-ms n] [--bandwidth <bytes/s or e.g. 100MiB>] [--tls-cert f --tls-key f]
  [--no-short-datafile] [--devices <count>:<device_class>:<vendor_id> …]`;

function parseOptions(argv: string[]): EmulatorOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string', default: DEFAULT_API_KEY },
      'data-dir': { type: 'string' },
      faults: { type: 'string' },
      'latency-ms': { type: 'string' },
      bandwidth: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'no-short-datafile': { type: 'boolean', default: false },
      devices: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port '${values.port}' must be 0..65535 (0 picks a free port)`);
  const latencyMs = values['latency-ms'] === undefined ? undefined : Number(values['latency-ms']);
  if (latencyMs !== undefined && !(latencyMs >= 0))
    throw new Error(`--latency-ms '${values['latency-ms']}' must be a number of milliseconds >= 0`);
  if (!values['tls-cert'] !== !values['tls-key'])
    throw new Error('--tls-cert and --tls-key go together: give both PEM files, or neither');
  return {
    port,
    host: values.host,
    apiKey: values['api-key'],
    dataDir: values['data-dir'],
    faults: values.faults === undefined ? undefined : readFaults(values.faults),
    shaping: {
      latencyMs,
      bandwidthBytesPerSec: values.bandwidth === undefined ? undefined : parseBandwidth(values.bandwidth),
    },
    tls:
      values['tls-cert'] && values['tls-key']
        ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) }
        : undefined,
    shortDatafile: !values['no-short-datafile'],
    devices: (values.devices ?? []).map(parseDeviceSeed),
  };
}

/** `--devices 10:widget-class:acme-vendor`: ten devices of that class and vendor, updating a second after a campaign reaches them. */
function parseDeviceSeed(text: string): DeviceSeed {
  const [count, deviceClass, vendorId, ...rest] = text.split(':');
  if (!/^\d+$/.test(count ?? '') || !deviceClass || !vendorId || rest.length > 0) {
    throw new Error(`--devices '${text}' must be <count>:<device_class>:<vendor_id>, e.g. 10:widget:acme`);
  }
  return { count: Number(count), deviceClass, vendorId };
}

function readFaults(file: string): FaultRule[] {
  let rules: unknown;
  try {
    rules = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--faults ${file}: cannot read it as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!Array.isArray(rules)) throw new Error(`--faults ${file}: must hold a JSON array of fault rules`);
  return rules.map((rule) => checkRule(rule as FaultRule));
}

async function main(): Promise<void> {
  let options: EmulatorOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`emulator: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const emulator = await startEmulator(options);
  console.log(`listening on ${emulator.url}`);
  let stopping = false;
  // A signal may arrive twice (from a wrapper such as npm or tsx relaying it, and to the process group).
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  console.error(`emulator: ${error.message}`);
  process.exit(1);
});
