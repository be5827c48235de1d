import { describe, expect, it } from '@jest/globals';
import { neutralise } from '../../src/common/neutralise.js';

describe('neutralise', () => {
  it('leaves ordinary text alone, including non-ASCII letters and a colon pair inside a line', () => {
    for (const text of ['published fw.bin@v1.2.3', 'Prüfstand 🚀 ok', 'a::b', 'name: x', '']) {
      expect(neutralise(text)).toBe(text);
    }
  });

  it('shows line breaks and tabs as escapes, so a value never starts a new line', () => {
    expect(neutralise('a\nb\rc\r\nd\te')).toBe('a\\nb\\rc\\r\\nd\\te');
    expect(neutralise('x\n::error title=t::y')).toBe('x\\n::error title=t::y');
  });

  it('escapes every other C0 and C1 control, DEL, and the Unicode line separators', () => {
    expect(neutralise('\u0000\u0007\u001b[31m\u007f\u0085\u009b\u2028\u2029')).toBe(
      '\\u0000\\u0007\\u001b[31m\\u007f\\u0085\\u009b\\u2028\\u2029',
    );
  });

  it('escapes the bidi controls that make text read other than it is', () => {
    const bidi = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e'];
    const isolates = ['\u2066', '\u2067', '\u2068', '\u2069'];
    for (const c of [...bidi, ...isolates]) {
      expect(neutralise(`a${c}b`)).toBe(`a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b`);
    }
  });

  it('a value that would itself start a command (`::`, `##[`, after leading whitespace) is defused', () => {
    expect(neutralise('::error::x')).toBe('\\u003a:error::x');
    expect(neutralise('  ::warning::x')).toBe('  \\u003a:warning::x');
    expect(neutralise('##[error]x')).toBe('\\u0023#[error]x');
  });

  it('is idempotent: neutralising twice changes nothing more', () => {
    const once = neutralise('::a\n\u001b::b\u202e');
    expect(neutralise(once)).toBe(once);
  });
});
