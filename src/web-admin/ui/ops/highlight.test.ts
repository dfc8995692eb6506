import { describe, expect, it } from 'vitest';
import { highlightSource, MAX_HIGHLIGHT_CHARS } from './highlight';

describe('source highlighting (the only HTML the UI injects)', () => {
  it('escapes markup in the source; only hljs spans are added', () => {
    const html = highlightSource(
      'const a = "</code><script>alert(1)</script>"; // <img src=x onerror=alert(2)>\n',
      'evil.ts',
    )!;
    expect(html).not.toMatch(/<script|<img|<\/code>/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    const tags = html.match(/<[^>]+>/g) ?? [];
    expect(tags.every((t) => /^<span class="hljs-[a-z_ .-]+">$|^<\/span>$/.test(t))).toBe(true);
  });

  it('.js files as JavaScript; too big → plain text', () => {
    expect(highlightSource('let x = 1;', 'a.js')).toContain('hljs-keyword');
    expect(highlightSource('x'.repeat(MAX_HIGHLIGHT_CHARS + 1), 'a.ts')).toBeUndefined();
  });
});
