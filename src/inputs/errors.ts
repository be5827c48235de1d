/** A bad input value. The message names the input and says how to fix it; it is shown without a stack. */
export class InputError extends Error {
  /** The input was required but not given (the CLI words that case in its own terms). */
  readonly missing: boolean;
  constructor(
    readonly input: string,
    problem: string,
    options: { missing?: boolean } = {},
  ) {
    super(`Input \`${input}\`: ${problem}`);
    this.name = 'InputError';
    this.missing = options.missing === true;
  }
}
