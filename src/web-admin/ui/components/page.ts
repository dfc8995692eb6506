import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface PageProps {
  /** The page's single h1 (and the document title). */
  title: string;
  /** Small text above the title (e.g. the kind of an object). */
  kicker?: ComponentChildren;
  /** Buttons/links at the right of the title. */
  actions?: ComponentChildren;
  children?: ComponentChildren;
}

/** A page: one h1 (focused after navigation so screen readers announce it), optional actions, the content. */
export function Page({ title, kicker, actions, children }: PageProps) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Wharf`;
  }, [title]);
  useEffect(() => {
    // Move focus to the new page's heading unless the user is typing somewhere on it already.
    const a = document.activeElement;
    if (!a || a === document.body || !document.getElementById('main')?.contains(a))
      h1.current?.focus({ preventScroll: true });
  }, []);
  return html`<div class="page">
    <div class="page-head">
      <div class="page-title">
        ${kicker ? html`<div class="kicker">${kicker}</div>` : null}
        <h1 tabindex="-1" ref=${h1}>${title}</h1>
      </div>
      ${actions ? html`<div class="page-actions">${actions}</div>` : null}
    </div>
    ${children}
  </div>`;
}
