/** Syntax highlighting of service sources: highlight.js core with TypeScript and JavaScript only. */
import hljs from 'highlight.js/lib/core';
import javascript from 'highlight.js/lib/languages/javascript';
import typescript from 'highlight.js/lib/languages/typescript';

if (!hljs.getLanguage('typescript')) hljs.registerLanguage('typescript', typescript);
if (!hljs.getLanguage('javascript')) hljs.registerLanguage('javascript', javascript);

/** Above this size the source is shown as plain text (highlighting would stall the page). */
export const MAX_HIGHLIGHT_CHARS = 300_000;

/**
 * The HTML of `source` highlighted as `.js` or `.ts` (by the file name), or undefined when too big.
 * highlight.js escapes the text (`&`, `<`, `>`, quotes) and only adds its own <span class="hljs-…"> tags.
 */
export function highlightSource(source: string, fileName: string): string | undefined {
  if (source.length > MAX_HIGHLIGHT_CHARS) return undefined;
  const language = /\.js$/i.test(fileName) ? 'javascript' : 'typescript';
  return hljs.highlight(source, { language, ignoreIllegals: true }).value;
}
