/** The route table: path patterns → page components (params as props). */
import type { ComponentType } from 'preact';
import { matchPath } from './router';
import { lazy } from './lazy';
import NotFound from './pages/not-found';

// Every page is its own chunk, loaded on first use (see lazy.ts); the login page is in the core.
const Dashboard = lazy(() => import('./pages/dashboard'));
const Services = lazy(() => import('./pages/services'));
const Service = lazy(() => import('./pages/service'));
const Cluster = lazy(() => import('./pages/cluster'));
const KindList = lazy(() => import('./pages/kind-list'));
const KindNew = lazy(() => import('./pages/kind-new'));
const KindObject = lazy(() => import('./pages/kind-object'));
const HistoryList = lazy(() => import('./pages/history'));
const HistoryDiff = lazy(() => import('./pages/history-diff'));
const Enmasse = lazy(() => import('./pages/enmasse'));
const Users = lazy(() => import('./pages/users'));
const Find = lazy(() => import('./pages/find'));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPage = ComponentType<any>;

export interface Route {
  pattern: string;
  component: AnyPage;
}

export const routes: Route[] = [
  { pattern: '/', component: Dashboard },
  { pattern: '/services', component: Services },
  { pattern: '/services/:name', component: Service },
  { pattern: '/cluster', component: Cluster },
  { pattern: '/kinds/:kind', component: KindList },
  { pattern: '/kinds/:kind/new', component: KindNew },
  { pattern: '/kinds/:kind/:name', component: KindObject },
  { pattern: '/history', component: HistoryList },
  { pattern: '/history/:version/:kind/:name', component: HistoryDiff },
  { pattern: '/enmasse', component: Enmasse },
  { pattern: '/users', component: Users },
  { pattern: '/find', component: Find },
];

export function resolve(path: string): { component: AnyPage; params: Record<string, string> } {
  for (const r of routes) {
    const params = matchPath(r.pattern, path);
    if (params) return { component: r.component, params };
  }
  return { component: NotFound, params: {} };
}

/** Starts loading the page chunk of `path` (called at start-up, so it loads while the session is checked). */
export function preloadRoute(path: string): void {
  const c = resolve(path).component as Partial<{ preload(): void }>;
  c.preload?.();
}
