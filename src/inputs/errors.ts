// The inputs layer's errors.
import { NamedError } from '../common/named-error.js';
import { actionVocabulary, asHint, render, type Hint } from '../common/hint.js';

/**
 * A bad input value. The message names the input and says how to fix it; it is shown without a stack.
 * `message` is the action's wording (``Input `chunk-size`: …``); an entry point with other terms renders
 * `input` and `problem` itself (the CLI: `--chunk-size: …`).
 */
export class InputError extends NamedError {
  /** The input was required but not given (the CLI words that case in its own terms). */
  readonly missing: boolean;
  /** What is wrong and the fix, without the input's name. */
  readonly problem: Hint;
  constructor(
    readonly input: string,
    problem: string | Hint,
    options: { missing?: boolean } = {},
  ) {
    super(`Input \`${input}\`: ${render(asHint(problem), actionVocabulary)}`);
    this.problem = asHint(problem);
    this.missing = options.missing === true;
  }
}
