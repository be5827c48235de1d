// `npm run bench`: the bundled action against a plain curl loop and the hashing floors, alternating in
// one run, on an image in os.tmpdir(); medians, MiB/s, CPU s/GiB, peak RSS, and the targets.
// `npm run bench -- --chunk-sweep`: the action over a shaped link (40 ms per request, 100 MiB/s) for
// several chunk sizes, to choose the default. `--help` lists the options.
import { mkdir, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GiB, formatBytes, parseSize } from '../src/common/bytes.js';
import type { Shaping } from '../src/emulator/index.js';
import { parseBandwidth } from '../src/emulator/shaping.js';
import { DEFAULT_CHUNK_SIZE } from '../src/inputs/index.js';
import {
  EMULATOR_STORAGE,
  actionContestant,
  curlLoopContestant,
  md5sumContestant,
  opensslContestant,
  type Contestant,
} from './bench/contestants.js';
import { timeCommand, type Usage } from './bench/measure.js';
import { evaluateTargets, formatTable, formatTargets, summarize, type Summary } from './bench/report.js';
import { writeSeededFile } from './lib/prng.js';
import { ACTION_ENTRY, node24Binary } from './lib/run-action.js';

/** The benchmark image's bytes (any seed will do; one, so that re-runs reuse the file). */
const BENCH_IMAGE_SEED = 7;

const USAGE = `usage: npm run bench -- [options]
  --size <size>          image size (default 1GiB), e.g. 4GiB
  --rounds <n>           alternating rounds (default 3)
  --chunk-size <size>    chunk size of the action and the curl loop (default ${formatBytes(DEFAULT_CHUNK_SIZE)})
  --compare-size <size>  also run the action on an image of this size each round (e.g. 4GiB): flat-memory target
  --latency-ms <n>       emulator latency per response (default 0; 40 with --chunk-sweep)
  --bandwidth <rate>     emulator bandwidth per request, e.g. 100MiB (default none; 100MiB with --chunk-sweep)
  --chunk-sweep          the action only, over the shaped link, for each of --sweep-sizes
  --sweep-sizes <list>   default 8MiB,16MiB,32MiB,64MiB,100MiB
  --baseline <file>      also run this build of the action (e.g. main's dist/index.js copied aside) each round
  --keep-image           leave the image(s) in ${tmpdir()} for a re-run (default: removed)`;

interface Options {
  size: number;
  rounds: number;
  chunkSize: number;
  compareSize?: number;
  shaping: Shaping;
  sweepSizes?: number[];
  baseline?: string;
  keepImage: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: '1GiB' },
      rounds: { type: 'string', default: '3' },
      'chunk-size': { type: 'string' },
      'compare-size': { type: 'string' },
      'latency-ms': { type: 'string' },
      bandwidth: { type: 'string' },
      'chunk-sweep': { type: 'boolean', default: false },
      'sweep-sizes': { type: 'string', default: '8MiB,16MiB,32MiB,64MiB,100MiB' },
      baseline: { type: 'string' },
      'keep-image': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const sweep = values['chunk-sweep'];
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds '${values.rounds}' must be a whole number ≥ 1`);
  const latencyMs = Number(values['latency-ms'] ?? (sweep ? '40' : '0'));
  if (!(latencyMs >= 0)) throw new Error(`--latency-ms '${values['latency-ms']}' must be a number ≥ 0`);
  const bandwidth = values.bandwidth ?? (sweep ? '100MiB' : undefined);
  return {
    size: parseSize(values.size),
    rounds,
    chunkSize: values['chunk-size'] === undefined ? DEFAULT_CHUNK_SIZE : parseSize(values['chunk-size']),
    compareSize: values['compare-size'] === undefined ? undefined : parseSize(values['compare-size']),
    shaping: {
      latencyMs: latencyMs || undefined,
      bandwidthBytesPerSec: bandwidth === undefined ? undefined : parseBandwidth(bandwidth),
    },
    sweepSizes: sweep ? values['sweep-sizes'].split(',').map((s) => parseSize(s)) : undefined,
    baseline: values.baseline === undefined ? undefined : resolve(values.baseline),
    keepImage: values['keep-image'],
  };
}

/** Each round runs every contestant once, starting one further along, so none always goes first. */
async function alternate(contestants: Contestant[], rounds: number): Promise<Map<Contestant, Usage[]>> {
  const runs = new Map(contestants.map((c) => [c, [] as Usage[]]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contestants.length; i++) {
      const contestant = contestants[(round + i) % contestants.length]!;
      const usage = await contestant.run();
      runs.get(contestant)!.push(usage);
      console.log(
        `  round ${round + 1}/${rounds}  ${contestant.label.padEnd(24)} ${usage.wallS.toFixed(2)} s wall, ` +
          `${(usage.userS + usage.sysS).toFixed(2)} s CPU, ${(usage.maxRssKiB / 1024).toFixed(0)} MiB peak RSS`,
      );
    }
  }
  return runs;
}

function describeShaping(shaping: Shaping): string {
  const parts = [
    shaping.latencyMs ? `${shaping.latencyMs} ms per response` : undefined,
    shaping.bandwidthBytesPerSec ? `${formatBytes(shaping.bandwidthBytesPerSec)}/s per request` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none (loopback)';
}

function printHeader(options: Options): void {
  const node24 = node24Binary();
  console.log(`bench: ${new Date().toISOString()}  ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`);
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`action: ${ACTION_ENTRY} on ${node24}; emulator in this process (Node ${process.version})`);
  console.log(`shaping: ${describeShaping(options.shaping)}; every contestant reads a warm page cache`);
  console.log(
    `emulator storage: ${EMULATOR_STORAGE}; command: npm run bench -- ${process.argv.slice(2).join(' ')}`,
  );
}

async function comparison(options: Options, imagePath: string, largerPath?: string): Promise<void> {
  const setup = { imagePath, chunkSize: options.chunkSize, shaping: options.shaping };
  const action = actionContestant(setup);
  const curlLoop = curlLoopContestant(setup);
  const md5sum = md5sumContestant(imagePath);
  const opensslMd5 = opensslContestant(imagePath, 'md5');
  const opensslSha256 = opensslContestant(imagePath, 'sha256');
  const larger = largerPath
    ? actionContestant({ ...setup, imagePath: largerPath }, `action (${formatBytes(options.compareSize!)})`)
    : undefined;
  const baseline = options.baseline
    ? actionContestant({ ...setup, entry: options.baseline }, 'action (baseline)')
    : undefined;
  const extras = [larger, baseline].filter((c): c is Contestant => c !== undefined);
  const contestants = [action, curlLoop, md5sum, opensslMd5, opensslSha256, ...extras];
  console.log(
    `\n${options.rounds} alternating rounds, ${formatBytes(options.size)} image, ${formatBytes(options.chunkSize)} chunks:`,
  );
  const runs = await alternate(contestants, options.rounds);
  const summaryOf = (c: Contestant, size = options.size) => summarize(c.label, runs.get(c)!, size);
  const rows = [action, curlLoop, md5sum, opensslMd5, opensslSha256].map((c) => summaryOf(c));
  const largerSummary = larger ? summaryOf(larger, options.compareSize) : undefined;
  const baselineSummary = baseline ? summaryOf(baseline) : undefined;
  const extraRows = [largerSummary, baselineSummary].filter((s): s is Summary => s !== undefined);
  console.log(`\n${formatTable([...rows, ...extraRows])}\n`);
  const [actionRow, curlRow, md5sumRow, md5Row, sha256Row] = rows as [
    Summary,
    Summary,
    Summary,
    Summary,
    Summary,
  ];
  console.log(`action / curl loop: ${(actionRow.wallS / curlRow.wallS).toFixed(2)}`);
  console.log(`action / md5sum:    ${(actionRow.wallS / md5sumRow.wallS).toFixed(2)}`);
  if (baselineSummary)
    console.log(`action / baseline:  ${(actionRow.wallS / baselineSummary.wallS).toFixed(2)}`);
  // Client and emulator each MD5-check and SHA-256 every byte, on the same cores: no client goes faster.
  const cores = cpus().length;
  const hashingFloorS = (2 * (md5Row.cpuSPerGiB + sha256Row.cpuSPerGiB) * (options.size / GiB)) / cores;
  console.log(
    `hashing floor:      ${hashingFloorS.toFixed(2)} s = ${(hashingFloorS / md5sumRow.wallS).toFixed(2)} × md5sum ` +
      `(client and emulator both hash MD5 and SHA-256 of every byte on these ${cores} cores: ` +
      `2 × (openssl md5 + sha256 CPU) / ${cores}); action / floor: ${(actionRow.wallS / hashingFloorS).toFixed(2)}\n`,
  );
  const targets = evaluateTargets({
    action: actionRow,
    curlLoop: curlRow,
    md5sum: md5sumRow,
    opensslMd5: md5Row,
    opensslSha256: sha256Row,
    chunkSize: options.chunkSize,
    larger: largerSummary ? { summary: largerSummary, imageSize: options.compareSize! } : undefined,
  });
  console.log(formatTargets(targets));
  if (targets.some((t) => !t.pass)) process.exitCode = 1;
}

async function chunkSweep(options: Options, imagePath: string): Promise<void> {
  const sizes = options.sweepSizes!;
  const contestants = sizes.map((chunkSize) =>
    actionContestant(
      { imagePath, chunkSize, shaping: options.shaping },
      `action, ${formatBytes(chunkSize)} chunks`,
    ),
  );
  console.log(`\nchunk sweep: ${options.rounds} alternating rounds, ${formatBytes(options.size)} image:`);
  const runs = await alternate(contestants, options.rounds);
  const rows = contestants.map((c) => summarize(c.label, runs.get(c)!, options.size));
  console.log(`\n${formatTable(rows)}`);
  console.log(
    '\n| chunk size | chunk requests | median MiB/s | peak RSS MiB | re-sent on one failed chunk |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  sizes.forEach((chunkSize, i) => {
    const row = rows[i]!;
    const chunkRequests = Math.ceil(options.size / chunkSize);
    console.log(
      `| ${formatBytes(chunkSize)} | ${chunkRequests} chunks | ${row.mibPerS.toFixed(0)} | ` +
        `${row.maxRssMiB.toFixed(0)} | ${formatBytes(chunkSize)} |`,
    );
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return;
  }
  printHeader(options);
  const dir = join(tmpdir(), 'izuma-bench');
  await mkdir(dir, { recursive: true });
  const imagePath = join(dir, `image-${options.size}.bin`);
  const largerPath = options.compareSize ? join(dir, `image-${options.compareSize}.bin`) : undefined;
  try {
    for (const [path, size] of [
      [imagePath, options.size],
      ...(largerPath ? [[largerPath, options.compareSize!] as const] : []),
    ] as const) {
      console.log(`image: ${path} (${formatBytes(size)})`);
      await writeSeededFile(path, size, BENCH_IMAGE_SEED);
      await timeCommand('cat', [path]); // warm the page cache: every contestant then reads from memory
    }
    if (options.sweepSizes) await chunkSweep(options, imagePath);
    else await comparison(options, imagePath, largerPath);
    console.log(
      `\nload average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    if (!options.keepImage) await rm(dir, { recursive: true, force: true });
  }
}

await main();
