// Anything from the user or the service goes through here before it enters the job summary's markdown:
// a name like `<script>` or `a|b` must show as text, never as HTML or as a broken table.
import { neutralise } from '../common/neutralise.js';

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Text safe in a markdown paragraph or table cell: one line (line breaks become spaces), no control
 * characters (neutralised, shown as `\u001b`), HTML and markdown syntax shown literally.
 */
export function escapeMarkdown(text: string): string {
  return neutralise(text.replace(/\r\n|\r|\n/g, ' '))
    .replace(/[&<>"]/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/[\\`*_[\]|#~!]/g, (c) => `\\${c}`);
}
