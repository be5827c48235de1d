// A fault on every call of a step, past the retries: the upload either still ends byte-exact (the request
// took effect and reconciliation found it applied) or fails with one clear line after exactly the allowed
// attempts, leaving a state that a re-run without faults completes byte-exact. Statuses that must never be
// retried (400, 401, 403, 404, 409, 413) fail at once.
import { describe, expect, it } from '@jest/globals';
import { checkInvariants, RIG_API_KEY } from '../support/rig.js';
import {
  expectByteExact,
  FAULTS,
  RETRIES,
  scenario,
  SHORT_TIMEOUT_MS,
  STEPS,
  useRig,
  type FaultCase,
} from './fault-table.js';

const rigOf = useRig();

/**
 * One fault of each kind (faults-once.test.ts shows every fault one by one): a status before the request
 * took effect (the retryable statuses share one code path), a reset before it, a lost answer after it
 * (reset, and a 502; a late answer past the stall timeout is the same case), a hang, and an answer
 * without end (cut off at the cap: a lost answer too).
 */
const PERSISTENT_FAULTS: FaultCase[] = FAULTS.filter((f) =>
  [
    '502 gateway HTML page',
    'reset before',
    'reset after',
    '502 after it took effect',
    'hang',
    'a 2xx answer without end',
  ].includes(f.label),
);
const PERSISTENT_ROWS = STEPS.flatMap((step) =>
  PERSISTENT_FAULTS.map((fault) => [`${step.label}: ${fault.label}`, step, fault] as const),
);

describe('a fault on every call from that step on', () => {
  it.each(PERSISTENT_ROWS)(
    '%s → byte-exact, or a clear failure that a re-run completes',
    async (_label, step, faultCase) => {
      const rig = rigOf();
      const s = await scenario(rig, step.held);
      const first = rig.emulator.callCount(step.operation) + step.nth;
      const fromStepOn = Array.from({ length: 40 }, (_, i) => first + i);
      rig.emulator.faults.add({ operation: step.operation, nth: fromStepOn, fault: faultCase.fault() });
      const call = rig.publish(
        { imagePath: s.imagePath, name: s.name, maxRetries: RETRIES },
        { requestTimeoutMs: faultCase.stalls ? SHORT_TIMEOUT_MS : 10_000 },
      );
      const outcome = await call.then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      );
      rig.emulator.faults.clear();
      expect(await checkInvariants(rig, s.name, s.data, s.events())).toEqual([]);

      // A request that took effect is found applied, however often its answer is lost.
      const recoverable = !faultCase.fails || (faultCase.takesEffect && step.mutating);
      if (recoverable) {
        expect(outcome.error).toBeUndefined();
        await expectByteExact(rig, outcome.result?.firmwareImageId, s.data);
        return;
      }
      const error = outcome.error as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(new RegExp(`^${step.request} failed: ${faultCase.detail}`));
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain(RIG_API_KEY);
      expect(s.faultsInjected(step.operation)).toBe(RETRIES + 1 + (step.releaseCall ? 1 : 0));

      const rerun = await rig.publish({ imagePath: s.imagePath, name: s.name, maxRetries: RETRIES });
      expect(rerun.outcome).toBe(step.rerun);
      await expectByteExact(rig, rerun.firmwareImageId, s.data);
      expect(await checkInvariants(rig, s.name, s.data, s.events())).toEqual([]);
    },
  );
});

const NEVER_RETRIED = [400, 401, 403, 404, 409, 413];
const NON_RETRY_ROWS = STEPS.filter((step) =>
  ['middle chunk', 'find the image the job made', 'create'].includes(step.label),
)
  .flatMap((step) => NEVER_RETRIED.map((code) => [`${step.label}: ${code}`, step, code] as const))
  // A 409 on create means the name was taken meanwhile: the uploader looks the name up again (conflict tests).
  .filter(([, step, code]) => !(step.operation === 'create-job' && code === 409));

describe('a status that is never retried', () => {
  it.each(NON_RETRY_ROWS)('%s → fails at once; a re-run completes', async (_label, step, code) => {
    const rig = rigOf();
    const s = await scenario(rig);
    const first = rig.emulator.callCount(step.operation) + step.nth;
    rig.emulator.faults.add({
      operation: step.operation,
      nth: first,
      fault: { type: 'status', status: code },
    });
    const call = rig.publish({ imagePath: s.imagePath, name: s.name, maxRetries: RETRIES });
    const error = (await call.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    rig.emulator.faults.clear();

    expect(error?.message).toMatch(new RegExp(`^${step.request} failed: ${code} `));
    expect(s.faultsInjected(step.operation)).toBe(1);
    expect(call.run.logger.lines.filter((line) => line.includes('retrying'))).toEqual([]);
    expect(call.run.clock.slept).toEqual([]);

    const rerun = await rig.publish({ imagePath: s.imagePath, name: s.name, maxRetries: RETRIES });
    await expectByteExact(rig, rerun.firmwareImageId, s.data);
    expect(await checkInvariants(rig, s.name, s.data, s.events())).toEqual([]);
  });
});
