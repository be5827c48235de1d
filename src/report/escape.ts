// Anything from the user or the service goes through here before it enters the job summary's markdown:
// a name like `<script>` or `a|b` must show as text, never as HTML or as a broken table.

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text safe in a markdown paragraph or table cell: HTML and markdown syntax shown literally, one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[&<>"]/g, (c) => HTML_ENTITIES[c] ?? c)
    .replace(/[\\`*_[\]|#~!]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, ' ');
}
