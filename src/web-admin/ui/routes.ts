/** The route table: path patterns → page components (params as props). */
import type { ComponentType } from 'preact';
import { html } from 'htm/preact';
import { Page } from './components/page';
import { matchPath } from './router';
import NotFound from './pages/not-found';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPage = ComponentType<any>;

function placeholder(title: string): AnyPage {
  return () => html`<${Page} title=${title}><p class="muted">This page is on its way.</p></${Page}>`;
}

export interface Route {
  pattern: string;
  component: AnyPage;
}

export const routes: Route[] = [
  { pattern: '/', component: placeholder('Dashboard') },
  { pattern: '/services', component: placeholder('Services') },
  { pattern: '/services/:name', component: placeholder('Service') },
  { pattern: '/cluster', component: placeholder('Cluster') },
];

export function resolve(path: string): { component: AnyPage; params: Record<string, string> } {
  for (const r of routes) {
    const params = matchPath(r.pattern, path);
    if (params) return { component: r.component, params };
  }
  return { component: NotFound, params: {} };
}
