/**
 * Pages loaded on first use (esbuild splits them into their own chunks): the login page and the
 * shell need only the small core, so the first page a browser opens shows sooner; the chart and
 * highlighting libraries come with the pages that use them.
 */
import type { ComponentType, FunctionComponent } from 'preact';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from './components/loading';
import { errorText } from './errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyProps = any;

export type LazyPage = FunctionComponent<AnyProps> & { preload(): void };

export function lazy(load: () => Promise<{ default: ComponentType<AnyProps> }>): LazyPage {
  let loaded: ComponentType<AnyProps> | undefined;
  let pending: Promise<ComponentType<AnyProps>> | undefined;
  const get = (): Promise<ComponentType<AnyProps>> =>
    (pending ??= load().then(
      (m) => (loaded = m.default),
      (e: unknown) => {
        pending = undefined; // a failed load (e.g. the web admin restarted with a new build) may be retried
        throw e;
      },
    ));
  const page = function LazyPage(props: AnyProps) {
    const [, setReady] = useState(0);
    const [error, setError] = useState<unknown>();
    useEffect(() => {
      if (!loaded) get().then(() => setReady((n) => n + 1), setError);
    }, []);
    if (loaded) return html`<${loaded} ...${props} />`;
    if (error)
      return html`<div class="banner banner-error" role="alert">
        This page could not be loaded: ${errorText(error)}. Reload the page to try again.
      </div>`;
    return html`<${Loading} />`;
  };
  return Object.assign(page, { preload: () => void get().catch(() => undefined) });
}
