// The CLI's words for the inputs that hints and input errors name (src/common/hint.ts): its options,
// taken from the input specification, so that no message in action vocabulary reaches a CLI user.
import type { InputRef, Vocabulary } from '../common/hint.js';
import { inputSpec, type InputSpec } from '../inputs/index.js';

/** `--chunk-size` from `--chunk-size <size>`. */
export function longFlag(spec: InputSpec): string {
  return spec.cli.flag.split(' ')[0]!;
}

/** In a sentence: `--api-key-file or IZUMA_API_KEY`, `--chunk-size`. */
function term(name: string): string {
  const spec = inputSpec(name);
  return spec.cli.variable ? `${longFlag(spec)} or ${spec.cli.variable}` : longFlag(spec);
}

function settingWords(ref: Extract<InputRef, { ref: 'setting' }>): string {
  const flag = longFlag(inputSpec(ref.input));
  const takesValue = inputSpec(ref.input).cli.flag.includes(' ');
  if (takesValue) return `${flag} ${ref.value}`;
  // A switch: `--wait` sets true; `--no-start` sets false; leaving a switch out keeps its default.
  const negated = flag.startsWith('--no-');
  const on = ref.value === 'true';
  return on !== negated ? flag : `without ${flag}`;
}

export const cliVocabulary: Vocabulary = {
  terms: 'cli',
  word(ref) {
    switch (ref.ref) {
      case 'input':
        return term(ref.input);
      case 'the':
        return inputSpec(ref.input).secret
          ? `the access key (${term(ref.input)})`
          : `the ${term(ref.input)} option`;
      case 'setting':
        return settingWords(ref);
    }
  },
  // At the start of an input error: `--api-key-file (or IZUMA_API_KEY): …`.
  subject(input) {
    const spec = inputSpec(input);
    return spec.cli.variable ? `${longFlag(spec)} (or ${spec.cli.variable})` : longFlag(spec);
  },
};
