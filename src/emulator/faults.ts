import { checkHostileFault } from './hostile.js';
import {
  FAULT_TYPES,
  JOB_OPERATIONS,
  OPERATIONS,
  type Fault,
  type FaultRule,
  type Operation,
} from './types.js';

/** Counts the calls of each operation and says which fault, if any, the current call gets. */
export class FaultBook {
  private rules: FaultRule[] = [];
  private readonly counts = new Map<Operation, number>();

  constructor(rules: FaultRule[] = []) {
    this.load(rules);
  }

  add(rule: FaultRule): void {
    this.rules.push(checkRule(rule));
  }

  clear(): void {
    this.rules = [];
  }

  load(rules: FaultRule[]): void {
    this.rules = rules.map(checkRule);
  }

  callCount(operation: Operation): number {
    return this.counts.get(operation) ?? 0;
  }

  /** Records one more call of `operation`; returns the fault of the first rule that covers it. */
  nextCall(operation: Operation): { call: number; fault: Fault | undefined } {
    const call = this.callCount(operation) + 1;
    this.counts.set(operation, call);
    const rule = this.rules.find((r) => r.operation === operation && coversCall(r.nth, call));
    return { call, fault: rule?.fault };
  }
}

function coversCall(nth: FaultRule['nth'], call: number): boolean {
  if (nth === undefined) return true;
  return Array.isArray(nth) ? nth.includes(call) : nth === call;
}

/** Whether `value` (from a JSON file, so any string) is one of `members`. */
function isOneOf(members: readonly string[], value: unknown): boolean {
  return typeof value === 'string' && members.includes(value);
}

/** Rules also come from a JSON file on the command line: refuse a malformed one with a clear message. */
export function checkRule(rule: FaultRule): FaultRule {
  const text = JSON.stringify(rule);
  if (typeof rule !== 'object' || rule === null) throw new Error(`fault rule ${text}: must be an object`);
  if (!isOneOf(OPERATIONS, rule.operation)) {
    throw new Error(`fault rule ${text}: operation must be one of ${OPERATIONS.join(', ')}`);
  }
  const nths = rule.nth === undefined ? [] : Array.isArray(rule.nth) ? rule.nth : [rule.nth];
  if (!nths.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`fault rule ${text}: nth must be a call number >= 1 or an array of them`);
  }
  const fault = rule.fault as Fault | undefined;
  if (!fault || !isOneOf(FAULT_TYPES, fault.type)) {
    throw new Error(`fault rule ${text}: fault.type must be one of ${FAULT_TYPES.join(', ')}`);
  }
  if (
    (fault.type === 'status' || fault.type === 'status-after') &&
    !(fault.status >= 100 && fault.status <= 599)
  ) {
    throw new Error(`fault rule ${text}: fault.status must be an HTTP status (100-599)`);
  }
  if (fault.type === 'delay' && !(fault.ms >= 0))
    throw new Error(`fault rule ${text}: fault.ms must be >= 0`);
  const problem = checkHostileFault(fault, rule.operation);
  if (problem) throw new Error(`fault rule ${text}: ${problem}`);
  if (fault.type === 'foreign-writer') {
    if (!isOneOf(JOB_OPERATIONS, rule.operation)) {
      throw new Error(
        `fault rule ${text}: foreign-writer needs an operation on a job: ${JOB_OPERATIONS.join(', ')}`,
      );
    }
    if (fault.bytes !== undefined && !(Number.isInteger(fault.bytes) && fault.bytes >= 1)) {
      throw new Error(`fault rule ${text}: fault.bytes must be a whole number of bytes >= 1`);
    }
  }
  return rule;
}
