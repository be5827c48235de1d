// The closed sets of the emulator (operations, fault types) and the tables over them: every operation is
// routed, every fault is placed in the fault table or tested elsewhere, chaos draws exactly the faults it
// says, and the README names them all. The `@ts-expect-error` lines are the type-level half: `npm run
// typecheck` fails if a table without a member still typechecks (the directive would then be unused).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { RELEASE_ROUTES } from '../../src/emulator/release-routes.js';
import type { Handler } from '../../src/emulator/reply.js';
import {
  FAULT_TYPES,
  OPERATIONS,
  type FaultType,
  type Operation,
  type UploadOperation,
} from '../../src/emulator/types.js';
import { UPLOAD_ROUTES } from '../../src/emulator/upload-routes.js';
import { loadActionSpec } from '../../scripts/lib/action-spec.js';
import {
  checkEmulatorReadme,
  checkOutcomeOutput,
  closedSetProblems,
  EMULATOR_README_PATH,
} from '../../scripts/lib/closed-set-docs.js';
import { PROJECT_ROOT } from '../../scripts/lib/run-action.js';
import { seededRandom } from '../../scripts/lib/prng.js';
import { CHAOS_FAULTS, randomFault } from '../support/chaos.js';
import { FAULT_COVERAGE, FAULTS, type FaultCoverage } from '../reliability/fault-table.js';

const keysWith = <T extends string, V>(table: Record<T, V>, keep: (value: V) => boolean): T[] =>
  (Object.keys(table) as T[]).filter((key) => keep(table[key])).sort();

describe('emulator operations', () => {
  it('every operation has a route (complete-job is the chunk POST without a body)', () => {
    const routed = new Set<Operation>(['complete-job']);
    for (const { methods } of [...UPLOAD_ROUTES, ...RELEASE_ROUTES]) {
      for (const operation of Object.values(methods)) routed.add(operation);
    }
    expect([...routed].sort()).toEqual([...OPERATIONS].sort());
  });

  it('a handler table without an operation does not typecheck', () => {
    const handle: Handler = async () => ({ status: 204 });
    const partial = { 'create-job': handle, 'list-jobs': handle };
    // @ts-expect-error: the upload handlers must cover every UploadOperation (server.ts keys them so)
    const handlers: Record<UploadOperation, Handler> = partial;
    expect(Object.keys(handlers)).toHaveLength(2);
  });
});

describe('emulator faults', () => {
  it('the fault table has rows of exactly the faults it says it covers', () => {
    const inRows = new Set(FAULTS.map((row) => row.fault().type));
    expect([...inRows].sort()).toEqual(keysWith(FAULT_COVERAGE, (where) => where === 'rows'));
  });

  it.each(Object.entries(FAULT_COVERAGE).filter(([, where]) => where !== 'rows'))(
    'the %s fault is tested where the table says',
    async (type, where) => {
      if (where === 'rows') throw new Error('filtered out above');
      const text = await readFile(join(PROJECT_ROOT, where.file), 'utf8');
      expect(text).toContain(`type: '${type}'`);
      expect(where.why).not.toBe('');
    },
  );

  it('chaos draws exactly the faults CHAOS_FAULTS marks as drawn', () => {
    const random = seededRandom(11);
    const drawn = new Set(Array.from({ length: 2000 }, () => randomFault(random).type));
    expect([...drawn].sort()).toEqual(keysWith(CHAOS_FAULTS, (how) => how === 'drawn'));
  });

  it('a coverage table without a fault does not typecheck', () => {
    const { hang: _hang, ...withoutHang } = FAULT_COVERAGE;
    // @ts-expect-error: `hang` is missing, so this is not a FaultCoverage
    const incomplete: FaultCoverage = withoutHang;
    expect(Object.keys(incomplete)).not.toContain('hang');
    const faults: readonly FaultType[] = FAULT_TYPES;
    expect(Object.keys(FAULT_COVERAGE).sort()).toEqual([...faults].sort());
  });
});

describe('the emulator README', () => {
  it('names every operation and every fault type', async () => {
    expect(checkEmulatorReadme(await readFile(EMULATOR_README_PATH, 'utf8'))).toEqual([]);
  });

  it('a README that lacks an operation or a fault, or names an unknown operation, is reported', async () => {
    const text = await readFile(EMULATOR_README_PATH, 'utf8');
    const broken = text.replace('list-devices.', 'list-gadgets.').replace('`hang`', 'hang');
    expect(checkEmulatorReadme(broken, 'README')).toEqual([
      'README: operation list-devices is not in the Operations list',
      'README: the Operations list names list-gadgets, which the emulator does not have',
      'README: fault type `hang` is not documented',
    ]);
  });
});

describe('the outcome outputs', () => {
  it('of both actions name every outcome (the closed sets of docs --check hold today)', async () => {
    expect(await closedSetProblems()).toEqual([]);
  });

  it('an outcome the description does not name is reported', async () => {
    const spec = await loadActionSpec();
    expect(checkOutcomeOutput(spec, ['uploaded', 'teleported'], 'action.yml')).toEqual([
      'action.yml: the `outcome` output does not name `teleported`',
    ]);
  });
});
