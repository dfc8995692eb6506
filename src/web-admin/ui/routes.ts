/** The route table: path patterns → page components (params as props). */
import type { ComponentType } from 'preact';
import { matchPath } from './router';
import Cluster from './pages/cluster';
import Dashboard from './pages/dashboard';
import Enmasse from './pages/enmasse';
import Find from './pages/find';
import HistoryDiff from './pages/history-diff';
import HistoryList from './pages/history';
import KindList from './pages/kind-list';
import KindNew from './pages/kind-new';
import KindObject from './pages/kind-object';
import NotFound from './pages/not-found';
import Service from './pages/service';
import Services from './pages/services';
import Users from './pages/users';

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
