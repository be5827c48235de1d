// Every hint, rendered in both vocabularies: the action's words never reach the CLI and vice versa.
import { describe, expect, it } from '@jest/globals';
import { CAMPAIGN_HINTS } from '../../src/campaign/hints.js';
import { CLIENT_HINTS } from '../../src/client/hints.js';
import { cliVocabulary } from '../../src/cli/terms.js';
import {
  actionVocabulary,
  Hint,
  hint,
  input,
  render,
  setting,
  theInput,
  type HintPart,
} from '../../src/common/hint.js';
import { parseApiHost } from '../../src/inputs/host.js';
import { InputError, INPUTS, parseSettings } from '../../src/inputs/index.js';
import { describeFailure, failureLine } from '../../src/report/failure.js';
import { AnotherWriterError, EncryptionError } from '../../src/uploader/errors.js';
import { UPLOADER_HINTS } from '../../src/uploader/hints.js';

const asHint = (part: HintPart) => (part instanceof Hint ? part : hint`${part}`);

/** Every catalogued hint, plus the errors whose message names an input. */
function everyHint(): [string, Hint][] {
  const catalogued = Object.entries({ ...CLIENT_HINTS, ...UPLOADER_HINTS, ...CAMPAIGN_HINTS }).map(
    ([key, part]): [string, Hint] => [key, asHint(part)],
  );
  const errors: [string, Error][] = [
    ['another writer', new AnotherWriterError('j1', 'chunk 3 is not ours')],
    ['no encryption', new EncryptionError('img1')],
    ['credentials in api-host', capture(() => parseApiHost('https://user:pw@api.example.com'))],
    ['missing api-key', capture(() => parseSettings(() => '', {}))],
  ];
  const fromErrors = errors.map(([key, error]): [string, Hint] => {
    const text = (error as { text?: Hint; problem?: Hint }).text ?? (error as { problem?: Hint }).problem;
    if (!text) throw new Error(`${key}: no hint data`);
    return [key, text];
  });
  return [...catalogued, ...fromErrors];
}

function capture(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

const INPUT_NAMES = new Set(Object.values(INPUTS).flatMap((specs) => specs.map((s) => s.name)));
/** Action vocabulary: a backquoted input name, `name: value` YAML, the nouns of a workflow. */
const ACTION_WORDS = [
  /`([a-z-]+)(: [^`]*)?`/g,
  /\b(input|secret)s?\b/,
  /\bworkflow\b/,
  /re-run the step/,
  /concurrency:/,
];

describe('hints as data', () => {
  const hints = everyHint();

  it.each(hints)('%s: the CLI rendering names options, never action inputs', (_key, text) => {
    const cli = render(text, cliVocabulary);
    for (const pattern of ACTION_WORDS) {
      for (const match of cli.matchAll(new RegExp(pattern, 'g'))) {
        // Backquoted words that are not inputs (a filter example, a field name) are fine.
        if (match[1] !== undefined && pattern === ACTION_WORDS[0] && !INPUT_NAMES.has(match[1])) continue;
        throw new Error(`CLI text "${cli}" holds action vocabulary "${match[0]}"`);
      }
    }
    // No doubled parentheticals: "(--api-host (or …))" or ") (".
    expect(cli).not.toMatch(/\([^()]*\(/);
    expect(cli).not.toMatch(/\)\s*\(/);
    for (const name of text.inputs()) expect(cli).toContain(cliVocabulary.word(input(name)).split(' ')[0]);
  });

  it.each(hints)('%s: the action rendering names inputs, never CLI options', (_key, text) => {
    const action = render(text, actionVocabulary);
    expect(action).not.toMatch(/(^|[\s(])--[a-z]/);
    expect(action).not.toMatch(/\boption\b/);
    for (const name of text.inputs()) expect(action).toContain(`\`${name}`);
  });

  it('names only inputs that exist', () => {
    for (const [, text] of hints) for (const name of text.inputs()) expect(INPUT_NAMES).toContain(name);
  });

  it('words each reference in each vocabulary', () => {
    const both = (part: HintPart) => [
      render(hint`${part}`, actionVocabulary),
      render(hint`${part}`, cliVocabulary),
    ];
    expect(both(input('chunk-size'))).toEqual(['`chunk-size`', '--chunk-size']);
    expect(both(theInput('name'))).toEqual(['the `name` input', 'the --name option']);
    expect(both(theInput('api-key'))).toEqual([
      'the `api-key` secret',
      'the access key (--api-key-file or IZUMA_API_KEY)',
    ]);
    expect(both(setting('on-conflict', 'reuse'))).toEqual(['`on-conflict: reuse`', '--on-conflict reuse']);
    expect(both(setting('dry-run', 'true'))).toEqual(['`dry-run: true`', '--dry-run']);
    expect(both(setting('start', 'false'))).toEqual(['`start: false`', '--no-start']);
    expect(both(setting('encrypt-payload', 'false'))).toEqual([
      '`encrypt-payload: false`',
      'without --encrypt-payload',
    ]);
  });

  it('render the service-error hints as before in the action, in options in the CLI', () => {
    expect(render(CLIENT_HINTS.nameTaken, actionVocabulary)).toBe(
      'the name is already used by an upload job or firmware image: set another `name`, or `on-conflict: reuse` or `on-conflict: suffix`',
    );
    expect(render(CLIENT_HINTS.nameTaken, cliVocabulary)).toBe(
      'the name is already used by an upload job or firmware image: set another --name, or --on-conflict reuse or --on-conflict suffix',
    );
    expect(render(CLIENT_HINTS.unauthorized, cliVocabulary)).toMatch(
      /^check the access key \(--api-key-file or IZUMA_API_KEY\): .* the region --api-host or MBED_CLOUD_SDK_HOST points to/,
    );
  });

  it('an input error starts with the input in each vocabulary', () => {
    const error = new InputError('chunk-size', hint`too big; lower ${input('chunk-size')}`);
    expect(error.message).toBe('Input `chunk-size`: too big; lower `chunk-size`');
    expect(failureLine(describeFailure(error, cliVocabulary))).toBe(
      '--chunk-size: too big; lower --chunk-size',
    );
  });

  it('every input of every step has an option to name it by', () => {
    for (const specs of Object.values(INPUTS)) {
      for (const spec of specs) expect(cliVocabulary.word(input(spec.name))).toMatch(/^--[a-z]/);
    }
  });
});
