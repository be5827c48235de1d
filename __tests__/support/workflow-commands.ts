// What the runner would execute from a step's stdout: the lines that start a workflow command. Shared by
// the injection tests of the action (in process and bundled) and of the CLI.
import { expect } from '@jest/globals';
import type { Emulator, Fault } from '../../src/emulator/index.js';
import { emulatorForSuite, workspaceForSuite } from './suite.js';

/**
 * The marker every injection payload carries: a line the runner would run as a command holds it. Our
 * own commands never do, because every value that reaches them is neutralised first.
 */
export const PWNED = 'pwned';

/** Values that try every way onto a new line (LF, CR, CRLF, U+2028, NEL) or a terminal's attention. */
export const PAYLOAD =
  `x\n::error title=${PWNED}::lf\r::warning::${PWNED}-cr\r\n::notice::${PWNED}-crlf` +
  `\u2028::error::${PWNED}-ls\u0085##[error]${PWNED}-nel\n  ::debug::${PWNED}-indented` +
  `\u001b[2K\u001b]0;${PWNED}\u0007\u202eevil`;

/** A file name holding the payload (a file name may hold a newline; only `/` cannot be in one). */
export const PAYLOAD_FILE_NAME = `fw${PAYLOAD.replace(/\//g, '_')}.bin`;

/**
 * For an injection test file: the emulator with `apiKey`, and a workspace whose image (`size` seeded
 * bytes) is named PAYLOAD_FILE_NAME, as the path is logged.
 */
export function payloadFileSuite(apiKey: string, size: number, seed: number) {
  return {
    emulator: emulatorForSuite({ apiKey }),
    workspace: workspaceForSuite({ size, seed, fileName: PAYLOAD_FILE_NAME, label: 'injection' }),
  };
}

/** The runner splits on LF (and a lone CR); any other line break is split here too, to be strict. */
const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029|\u0085/;

/** Commands @actions/core writes for us; their data is escaped by core, and neutralised by us. */
const OUR_COMMANDS = /^::(add-mask|group|endgroup|debug|warning|error|notice)::/;

/**
 * Every line (after leading whitespace, which the runner trims) that starts `::` or `##[` is one of
 * ours, without properties, and carries no payload; nothing anywhere holds a raw escape or bidi control.
 */
export function expectNoInjectedCommand(stdout: string): void {
  const commands = stdout
    .split(LINE_BREAK)
    .map((line) => line.replace(/^[\s\u0085]+/, ''))
    .filter((line) => line.startsWith('::') || line.startsWith('##['));
  for (const line of commands) {
    expect(line).toMatch(OUR_COMMANDS);
    expect(line).not.toMatch(new RegExp(`^::\\w+::[^\\n]{0,3}${PWNED}`));
  }
  // eslint-disable-next-line no-control-regex -- raw control characters are what must not be there
  expect(stdout).not.toMatch(/[\u001b\u0007\u202e]/);
}

/**
 * The service's next create-job answer is a 503 whose message is the payload (logged, then retried); the
 * one after that is `then` (a 400 with the payload, say, or a job whose id holds it).
 */
export function answerCreateWithPayload(emulator: Emulator, then: Fault): void {
  const next = emulator.callCount('create-job') + 1;
  emulator.faults.load([
    { operation: 'create-job', nth: next, fault: { type: 'status', status: 503, message: PAYLOAD } },
    { operation: 'create-job', nth: next + 1, fault: then },
  ]);
}
