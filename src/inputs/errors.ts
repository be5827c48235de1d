/** A bad input value. The message names the input and says how to fix it; it is shown without a stack. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input \`${input}\`: ${problem}`);
    this.name = 'InputError';
  }
}
