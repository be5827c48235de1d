// npm run chaos -- [--runs 500] [--seed n]: seeded random fault plans over many small uploads against the
// emulator, every third seed two uploads under one name at once, each checked against the invariants
// (see chaos.ts here, shared with the test). It lives with the test support, not in scripts/: scripts/
// never import __tests__/ (the other direction is fine), and chaos is a test run on demand.
import { parseArgs } from 'node:util';
import { replayHint, runChaos } from './chaos.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '500' }, seed: { type: 'string' } },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 1e9) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run chaos -- [--runs <count, e.g. 500>] [--seed <integer>]');
  process.exit(2);
}

console.log(`chaos: ${runs} runs from seed ${seed}`);
const started = performance.now();
const tally = await runChaos({
  runs,
  seed,
  onRun: (report, i) => {
    if (report.problems.length > 0) console.log(`run ${i + 1} FAILED ${replayHint(report)}`);
    else if ((i + 1) % 50 === 0) console.log(`${i + 1} runs…`);
  },
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `\n${tally.runs} runs (${tally.concurrent} of them two uploads at once) in ${seconds} s: ` +
    `${tally.firstTry} succeeded despite the faults, ` +
    `${tally.recovered} failed cleanly and a re-run completed them, ${tally.failures.length} broke an invariant; ` +
    `${tally.faultRules} fault rules, ${tally.retries} retries`,
);
for (const failure of tally.failures) console.log(`FAILED ${replayHint(failure)}`);
process.exit(tally.failures.length > 0 ? 1 : 0);
