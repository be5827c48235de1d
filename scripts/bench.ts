// `npm run bench`: the bundled action against a plain curl loop and the hashing floors, alternating in
// one run, on images in os.tmpdir(): the action at several chunk sizes and image sizes (memory), on a
// 1 MiB image (an empty run), over a link shaped like a wide-area one (40 ms per response); the requests
// a publish makes; medians, MiB/s, CPU s/GiB, peak RSS; the machine; the targets, PASS/FAIL.
// `npm run bench -- --chunk-sweep`: the action over a shaped link (40 ms per request, 100 MiB/s) for
// several chunk sizes, to choose the default. `--help` lists the options.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
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
import { describeMachine, machineLine, type HashingFloor, type Machine } from './bench/machine.js';
import { timeCommand, type Usage } from './bench/measure.js';
import { evaluateTargets, formatTable, formatTargets, summarize } from './bench/report.js';
import { countRequests, formatRequests } from './bench/requests.js';
import { writeSeededFile } from './lib/prng.js';
import { ACTION_ENTRY, node24Binary } from './lib/run-action.js';

/** The benchmark image's bytes (any seed will do; one, so that re-runs reuse the file). */
const BENCH_IMAGE_SEED = 7;

const USAGE = `usage: npm run bench -- [options]
  --size <size>          image size (default 1GiB), e.g. 4GiB
  --rounds <n>           alternating rounds (default 3)
  --chunk-size <size>    chunk size of the action and the curl loop (default ${formatBytes(DEFAULT_CHUNK_SIZE)})
  --compare-size <size>  also run the action on an image of this size each round (default 4GiB; 0: none)
  --memory-chunks <list> chunk sizes of the flat-memory runs besides the default (default 8MiB,32MiB,100MiB)
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
  memoryChunks: number[];
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
      'compare-size': { type: 'string', default: '4GiB' },
      'memory-chunks': { type: 'string', default: '8MiB,32MiB,100MiB' },
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
    compareSize: parseSize(values['compare-size']) || undefined,
    memoryChunks: values['memory-chunks'].split(',').map((size) => parseSize(size)),
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

function printHeader(options: Options, machine: Machine): void {
  const node24 = node24Binary();
  console.log(`bench: ${new Date().toISOString()}`);
  console.log(machineLine(machine));
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

/** The shaping of the wide-area figures: each response 40 ms late, as over a link with that round trip. */
const WIDE_AREA: Shaping = { latencyMs: 40 };
const EMPTY_RUN_SIZE = 1024 * 1024;

interface Images {
  main: string;
  larger?: string;
  empty: string;
}

async function comparison(options: Options, machine: Machine, images: Images): Promise<void> {
  const setup = { imagePath: images.main, chunkSize: options.chunkSize, shaping: options.shaping };
  const sized = (size: number) => `${formatBytes(size)} image`;
  const action = actionContestant(
    setup,
    `action, ${sized(options.size)}, ${formatBytes(options.chunkSize)} chunks`,
  );
  const curlLoop = curlLoopContestant(setup);
  const md5sum = md5sumContestant(images.main);
  const opensslMd5 = opensslContestant(images.main, 'md5');
  const opensslSha256 = opensslContestant(images.main, 'sha256');
  const memory = options.memoryChunks.map((chunkSize) =>
    actionContestant(
      { ...setup, chunkSize },
      `action, ${sized(options.size)}, ${formatBytes(chunkSize)} chunks`,
    ),
  );
  const larger = images.larger
    ? actionContestant({ ...setup, imagePath: images.larger }, `action, ${sized(options.compareSize!)}`)
    : undefined;
  const empty = actionContestant(
    { ...setup, imagePath: images.empty },
    `action, ${sized(EMPTY_RUN_SIZE)} (empty run)`,
  );
  const wideArea = [images.empty, images.main].map((imagePath, i) =>
    actionContestant(
      { ...setup, imagePath, shaping: WIDE_AREA },
      `action, ${sized(i === 0 ? EMPTY_RUN_SIZE : options.size)}, 40 ms per response`,
    ),
  );
  const baselines = options.baseline
    ? [
        actionContestant({ ...setup, entry: options.baseline }, `baseline, ${sized(options.size)}`),
        actionContestant(
          { ...setup, imagePath: images.empty, entry: options.baseline },
          `baseline, ${sized(EMPTY_RUN_SIZE)} (empty run)`,
        ),
      ]
    : [];
  const contestants = [
    action,
    curlLoop,
    md5sum,
    opensslMd5,
    opensslSha256,
    ...memory,
    ...(larger ? [larger] : []),
    empty,
    ...wideArea,
    ...baselines,
  ];
  console.log(
    `\n${options.rounds} alternating rounds, ${formatBytes(options.size)} image, ${formatBytes(options.chunkSize)} chunks ` +
      'unless named:',
  );
  const runs = await alternate(contestants, options.rounds);
  const sizeOf = (c: Contestant) =>
    c === larger
      ? options.compareSize!
      : [empty, wideArea[0], baselines[1]].includes(c)
        ? EMPTY_RUN_SIZE
        : options.size;
  const summaries = new Map(contestants.map((c) => [c, summarize(c.label, runs.get(c)!, sizeOf(c))]));
  const row = (c: Contestant) => summaries.get(c)!;
  const floor: HashingFloor = {
    md5CpuSPerGiB: row(opensslMd5).cpuSPerGiB,
    sha256CpuSPerGiB: row(opensslSha256).cpuSPerGiB,
  };
  console.log(`\n${machineLine(machine, floor)}`);
  console.log(`${formatTable(contestants.map(row))}\n`);
  console.log(`action / curl loop: ${(row(action).wallS / row(curlLoop).wallS).toFixed(2)}`);
  console.log(`action / md5sum:    ${(row(action).wallS / row(md5sum).wallS).toFixed(2)}`);
  if (baselines[0])
    console.log(`action / baseline:  ${(row(action).wallS / row(baselines[0]).wallS).toFixed(2)}`);
  // Client and emulator each MD5-check and SHA-256 every byte, on the same cores: no client goes faster.
  const hashingFloorS =
    (2 * (floor.md5CpuSPerGiB + floor.sha256CpuSPerGiB) * (options.size / GiB)) / machine.cores;
  console.log(
    `hashing floor:      ${hashingFloorS.toFixed(2)} s = ${(hashingFloorS / row(md5sum).wallS).toFixed(2)} × md5sum ` +
      `(client and emulator both hash MD5 and SHA-256 of every byte on these ${machine.cores} cores: ` +
      `2 × (openssl md5 + sha256 CPU) / ${machine.cores}); action / floor: ${(row(action).wallS / hashingFloorS).toFixed(2)}`,
  );

  const chunks = Math.ceil(options.size / options.chunkSize);
  const requestsDir = await mkdtemp(join(EMULATOR_STORAGE, 'bench-requests-'));
  const requests = await countRequests(images.main, options.chunkSize, chunks, requestsDir).finally(() =>
    rm(requestsDir, { recursive: true, force: true }),
  );
  console.log(formatRequests(requests));
  const bundleBytes = (await stat(ACTION_ENTRY)).size;
  if (options.baseline) {
    console.log(`bundle: ${bundleBytes} bytes; baseline: ${(await stat(options.baseline)).size} bytes`);
  }

  const targets = evaluateTargets({
    shaExtensions: machine.shaExtensions,
    action: row(action),
    curlLoop: row(curlLoop),
    md5sum: row(md5sum),
    opensslMd5: row(opensslMd5),
    opensslSha256: row(opensslSha256),
    memoryRuns: [action, ...memory, ...(larger ? [larger] : [])].map(row),
    emptyRun: row(empty),
    bundleBytes,
    requests,
  });
  console.log(`\ntargets (issue #13), against ${machineLine(machine, floor).replace('machine: ', '')}:`);
  console.log(formatTargets(targets));
  if (targets.some((t) => !t.pass)) process.exitCode = 1;
}

async function chunkSweep(options: Options, machine: Machine, imagePath: string): Promise<void> {
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
  console.log(`\n${machineLine(machine)}; shaping: ${describeShaping(options.shaping)}`);
  console.log(formatTable(rows));
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
  const machine = describeMachine();
  printHeader(options, machine);
  const dir = join(tmpdir(), 'izuma-bench');
  await mkdir(dir, { recursive: true });
  const imageFor = (size: number) => join(dir, `image-${size}.bin`);
  const sweep = options.sweepSizes !== undefined;
  const images: Images = {
    main: imageFor(options.size),
    larger: !sweep && options.compareSize ? imageFor(options.compareSize) : undefined,
    empty: imageFor(EMPTY_RUN_SIZE),
  };
  const sizes = new Map([
    [images.main, options.size],
    ...(images.larger ? [[images.larger, options.compareSize!] as const] : []),
    ...(sweep ? [] : [[images.empty, EMPTY_RUN_SIZE] as const]),
  ]);
  try {
    for (const [path, size] of sizes) {
      console.log(`image: ${path} (${formatBytes(size)})`);
      await writeSeededFile(path, size, BENCH_IMAGE_SEED);
      await timeCommand('cat', [path]); // warm the page cache: every contestant then reads from memory
    }
    if (sweep) await chunkSweep(options, machine, images.main);
    else await comparison(options, machine, images);
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
