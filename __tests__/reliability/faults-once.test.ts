// Every fault the emulator can inject, at every step of an upload, once: the upload still ends with a
// byte-exact image, the retry is logged, Retry-After is waited out (on the fake clock), and nothing is
// appended twice or two at a time.
import { describe, expect, it } from '@jest/globals';
import { checkInvariants } from '../support/rig.js';
import { expectByteExact, ROWS, RETRIES, scenario, SHORT_TIMEOUT_MS, useRig } from './fault-table.js';

const rigOf = useRig();

describe('a fault that happens once', () => {
  it.each(ROWS)('%s → byte-exact', async (_label, step, faultCase) => {
    const rig = rigOf();
    const s = await scenario(rig, step.held);
    const first = rig.emulator.callCount(step.operation) + step.nth;
    rig.emulator.faults.add({ operation: step.operation, nth: first, fault: faultCase.fault() });
    const call = rig.publish(
      { imagePath: s.imagePath, name: s.name, maxRetries: RETRIES },
      { requestTimeoutMs: faultCase.stalls ? SHORT_TIMEOUT_MS : 10_000 },
    );
    const result = await call.finally(() => rig.emulator.faults.clear());

    await expectByteExact(rig, result.firmwareImageId, s.data);
    expect(result.outcome).toBe(step.held ? 'resumed' : 'uploaded');
    expect(s.faultsInjected(step.operation)).toBe(1);
    expect(await checkInvariants(rig, s.name, s.data, s.events())).toEqual([]);
    if (faultCase.fails) {
      expect(call.run.logger.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^info: retrying ${step.request} in \\d+\\.\\d s \\(attempt 2 of ${RETRIES + 1}\\): ${faultCase.detail}`,
          ),
        ),
      );
    } else {
      expect(result.retryCount).toBe(0);
    }
    if (faultCase.retryAfterMs) {
      expect(Math.max(...call.run.clock.slept)).toBeGreaterThanOrEqual(faultCase.retryAfterMs);
    }
  });
});
