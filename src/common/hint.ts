// Advice as data: what to do, with the inputs it names kept as references, so that each entry point
// renders it in its own terms (`` `name` `` in the action, `--name` in the CLI). Layers below the entry
// points write hints and messages with `hint`…`` and never spell an input themselves.
import { NamedError } from './named-error.js';

/** A reference to an input (its action name, e.g. 'chunk-size'), as the renderer words it. */
export type InputRef =
  /** The input itself: `` `name` `` | `--name`. */
  | { ref: 'input'; input: string }
  /** The input with its noun: `` the `name` input `` (`` the `api-key` secret ``) | `the --name option`. */
  | { ref: 'the'; input: string }
  /** The input set to a value: `` `on-conflict: reuse` `` | `--on-conflict reuse` (`--dry-run`, `--no-start`). */
  | { ref: 'setting'; input: string; value: string };

/** Words that differ by entry point and are not an input (a workflow snippet in the action). */
export interface Alternative {
  ref: 'alternative';
  action: string;
  cli: string;
}

export type HintPart = string | InputRef | Alternative | Hint;

/** Text with references: render it with a Vocabulary. */
export class Hint {
  constructor(readonly parts: readonly HintPart[]) {}

  /** The inputs this text names (nested hints included). */
  inputs(): string[] {
    return this.parts.flatMap((part) =>
      part instanceof Hint ? part.inputs() : typeof part === 'object' && 'input' in part ? [part.input] : [],
    );
  }
}

/** hint`set another ${input('name')}`: a Hint; the interpolated values are refs, hints or plain strings. */
export function hint(strings: TemplateStringsArray, ...values: HintPart[]): Hint {
  const parts: HintPart[] = [];
  strings.forEach((text, i) => {
    if (text !== '') parts.push(text);
    if (i < values.length) parts.push(values[i]!);
  });
  return new Hint(parts);
}

export const input = (name: string): InputRef => ({ ref: 'input', input: name });
export const theInput = (name: string): InputRef => ({ ref: 'the', input: name });
export const setting = (name: string, value: string): InputRef => ({ ref: 'setting', input: name, value });
export const alternative = (words: { action: string; cli: string }): Alternative => ({
  ref: 'alternative',
  ...words,
});

/** Plain text as a Hint (a message that names no input). */
export function asHint(text: string | Hint): Hint {
  return typeof text === 'string' ? new Hint([text]) : text;
}

/** How one entry point words the references. */
export interface Vocabulary {
  readonly terms: 'action' | 'cli';
  word(ref: InputRef): string;
  /** How an input error starts: ``Input `chunk-size` `` | `--chunk-size`. */
  subject(input: string): string;
}

export function render(text: Hint | string, vocabulary: Vocabulary): string {
  if (typeof text === 'string') return text;
  return text.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part instanceof Hint) return render(part, vocabulary);
      if (part.ref === 'alternative') return part[vocabulary.terms];
      return vocabulary.word(part);
    })
    .join('');
}

/** Inputs the action treats as secrets (named "the `api-key` secret"). */
const ACTION_SECRETS = new Set(['api-key']);

/** The action's words: a workflow's `with:` keys. */
export const actionVocabulary: Vocabulary = {
  terms: 'action',
  word(ref) {
    switch (ref.ref) {
      case 'input':
        return `\`${ref.input}\``;
      case 'the':
        return `the \`${ref.input}\` ${ACTION_SECRETS.has(ref.input) ? 'secret' : 'input'}`;
      case 'setting':
        return `\`${ref.input}: ${ref.value}\``;
    }
  },
  subject: (input) => `Input \`${input}\``,
};

/**
 * An error whose message is a Hint: `message` is the action's wording (what logs and tests of the
 * lower layers see); an entry point with other terms renders `text` itself (report/failure.ts).
 */
export class HintedError extends NamedError {
  readonly text: Hint;
  constructor(text: Hint | string, options?: { cause?: unknown }) {
    super(render(asHint(text), actionVocabulary), options);
    this.text = asHint(text);
  }
}
