/** The app: session check, login gate, the shell and the routed page. */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { Loading } from './components/loading';
import { ErrorBanner } from './components/error-banner';
import { loadInfo, loadKinds } from './meta';
import Login, { safeNext } from './pages/login';
import { resolve } from './routes';
import { navigate, useLocation } from './router';
import { bootSession, session } from './session';
import { Shell } from './shell';
import { adminStatus, checkStatus } from './status';
import { useStore } from './store';

export function App() {
  const s = useStore(session);
  const status = useStore(adminStatus);
  const loc = useLocation();
  const [bootError, setBootError] = useState<unknown>();

  useEffect(() => {
    void checkStatus();
    // The kinds in parallel with the session check (one round trip less before a page shows); a 401
    // here just means "not logged in" — the session check decides what happens.
    if (window.location.pathname !== '/login') loadKinds(false, true).catch(() => undefined);
    bootSession().catch((e: unknown) => {
      setBootError(e);
      void checkStatus();
    });
  }, []);

  // Gate: no session → /login?next=…; a session on /login → next.
  useEffect(() => {
    if (s === null && loc.path !== '/login')
      navigate('/login' + (loc.href !== '/' ? '?next=' + encodeURIComponent(loc.href) : ''), { replace: true });
    if (s && loc.path === '/login') navigate(safeNext(loc.query.get('next')), { replace: true });
  }, [s, loc.href]);

  // Once logged in (and again when the admin API is back): the kinds (nav, forms) and the server info
  // (header, health), info every 30 s.
  useEffect(() => {
    if (!s || status.down) return;
    loadKinds().catch(() => undefined);
    loadInfo().catch(() => undefined);
    const t = setInterval(() => loadInfo().catch(() => undefined), 30_000);
    return () => clearInterval(t);
  }, [s?.user, status.down]);

  if (bootError && s === undefined)
    return html`<main id="main" class="login-wrap">
      <${ErrorBanner} error=${bootError} title="The web admin could not start" />
    </main>`;
  // On /login the form shows at once; a session found meanwhile moves on to `next` (the gate above).
  if (s === undefined)
    return loc.path === '/login' ? html`<${Login} />` : html`<main id="main" class="login-wrap"><${Loading} /></main>`;
  if (s === null)
    return loc.path === '/login' ? html`<${Login} />` : html`<main id="main" class="login-wrap"><${Loading} /></main>`;
  if (loc.path === '/login') return html`<main id="main" class="login-wrap"><${Loading} /></main>`;
  const { component: C, params } = resolve(loc.path);
  return html`<${Shell}><${C} key=${loc.path} ...${params} /></${Shell}>`;
}
