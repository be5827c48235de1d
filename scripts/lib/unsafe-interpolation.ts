// Finds `${{ }}` expressions inside a step's `run:` script that read inputs, secrets or step/job outputs.
// The runner pastes an expression's value into the script text before the shell sees it, so a value with
// a quote, `$(…)` or a newline becomes code (script injection), and a secret lands in the script file.
// Such values must reach the script through `env:` (`"$NAME"`), where the shell treats them as data.
// actionlint flags only the `github.event.*` fields it knows to be attacker-controlled; this is stricter.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Scalar } from 'yaml';

export interface UnsafeInterpolation {
  file: string;
  line: number;
  expression: string;
  reason: string;
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
// `steps.<id>.outcome`/`conclusion` and `needs.<id>.result` are one of a few fixed words: safe to paste.
const SAFE_STATUS = new Set(['outcome', 'conclusion', 'result']);

/** Why an expression's text may not be pasted into a script, or undefined when it may. */
export function unsafeReason(expression: string): string | undefined {
  const context = /\b(inputs|secrets)\b/.exec(expression);
  if (context) return `reads \`${context[1]}\``;
  for (const match of expression.matchAll(/\b(steps|needs)\b((?:\s*(?:\.\s*[\w-]+|\[[^\]]*\]))*)/g)) {
    const [, root, accessors = ''] = match;
    const segments = [...accessors.matchAll(/\.\s*([\w-]+)|\[\s*['"]?([^'"\]]*)['"]?\s*\]/g)].map(
      (m) => m[1] ?? m[2] ?? '',
    );
    if (!SAFE_STATUS.has(segments[1] ?? '')) return `reads \`${root}\` outputs`;
  }
  return undefined;
}

/** Every unsafe interpolation in the `run:` scripts of a workflow or a composite action.yml. */
export function findUnsafeInterpolations(yamlText: string, file: string): UnsafeInterpolation[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter });
  if (doc.errors.length > 0) throw new Error(`${file}: not valid YAML (${doc.errors[0]?.message})`);
  const found: UnsafeInterpolation[] = [];
  visit(doc, {
    Pair(_key, pair, path) {
      if (!isScalar(pair.key) || pair.key.value !== 'run' || !isScalar(pair.value)) return;
      if (!isStepMapping(path)) return;
      const script = pair.value as Scalar;
      const text = String(script.value ?? '');
      const start = lineCounter.linePos(script.range?.[0] ?? 0).line;
      // A block scalar's text starts on the line after its `|` or `>` indicator.
      const firstLine = script.type === 'BLOCK_LITERAL' || script.type === 'BLOCK_FOLDED' ? start + 1 : start;
      for (const match of text.matchAll(EXPRESSION)) {
        const reason = unsafeReason(match[1] ?? '');
        if (!reason) continue;
        const linesBefore = text.slice(0, match.index).split('\n').length - 1;
        found.push({ file, line: firstLine + linesBefore, expression: match[0], reason });
      }
    },
  });
  return found;
}

/** The pair's parent is a mapping that is an item of a `steps:` sequence (a step, not some `with:`). */
function isStepMapping(path: readonly unknown[]): boolean {
  const [stepsPair, sequence, step] = path.slice(-3);
  return (
    isMap(step) &&
    isSeq(sequence) &&
    isPair(stepsPair) &&
    isScalar(stepsPair.key) &&
    stepsPair.key.value === 'steps'
  );
}

export function formatUnsafeInterpolation(u: UnsafeInterpolation): string {
  return `${u.file}:${u.line}: ${u.expression} in a run: script ${u.reason}; pass it through env: and use "$NAME" instead`;
}
