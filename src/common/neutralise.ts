// The one gate between text from a user or the service and a log line, an annotation or the summary.
// The runner reads any stdout line that starts with `::` (or the older `##[`) as a workflow command, and a
// terminal obeys ANSI escapes: so a value must never start a line, nor carry a control character.

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidi controls
 * (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069) that make text read other than it is.
 */
export const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\n`, `\r`, `\t`, or `\u001b`: how an unsafe character shows in a neutralised text. */
export function escapeCharacter(c: string): string {
  return NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text that starts a workflow command once leading whitespace is trimmed (the runner trims it). */
const COMMAND_START = /^(\s*)(::|##\[)/;

/**
 * One line of text that can start no workflow command and moves no cursor: unsafe characters are shown
 * as escapes (`\n`, `\u001b`), and a leading `::` or `##[` gets its first character escaped (`\u003a:`).
 * Safe on a whole log line and on any value inside one; applying it twice changes nothing more.
 */
export function neutralise(text: string): string {
  return text
    .replace(UNSAFE_CHARACTERS, escapeCharacter)
    .replace(
      COMMAND_START,
      (_whole, space: string, start: string) => `${space}${escapeCharacter(start[0]!)}${start.slice(1)}`,
    );
}
