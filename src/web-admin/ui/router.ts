/** Client-side routing with the History API: `navigate(path)`, `<Link href>`, `useLocation()`, `matchPath()`. */
import { h, type ComponentChildren, type JSX } from 'preact';
import { createStore, useStore } from './store';

export { matchPath } from './paths';

export interface Location {
  /** The path without query, e.g. `/kinds/channels.http/api`. */
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  /** `path` + `?query` as typed. */
  href: string;
}

function current(): Location {
  const { pathname, search } = window.location;
  return { path: pathname, query: new URLSearchParams(search), href: pathname + search };
}

export const location = createStore<Location>(current());

window.addEventListener('popstate', () => location.set(current()));

/** Goes to `path` (same origin, e.g. `/kinds/channels.http?x=1`) without reloading. */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(path, window.location.origin);
  if (url.origin !== window.location.origin) throw new Error(`navigate: not a local path: ${path}`);
  const target = url.pathname + url.search + url.hash;
  if (target === window.location.pathname + window.location.search + window.location.hash) {
    location.set(current());
    return;
  }
  if (opts.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  location.set(current());
  window.scrollTo(0, 0);
}

/** The current location; the component re-renders on navigation. */
export function useLocation(): Location {
  return useStore(location);
}

/** Encodes one path segment (object names may hold spaces, slashes, dots). */
export function seg(s: string): string {
  return encodeURIComponent(s);
}

type AnchorProps = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { href: string; children?: ComponentChildren };

/** An `<a>` that navigates client-side on a plain left click (new tab, etc. still work). */
export function Link(props: AnchorProps) {
  const { href, onClick, ...rest } = props;
  const click = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === 'function') onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return h('a', { ...rest, href, onClick: click });
}
