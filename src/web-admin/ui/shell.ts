/** The frame around every page: skip link, header (product, server, user, Log out), nav "Main", admin-down banner. */
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { kindGroup, kinds, serverInfo, type KindInfo, type NavGroup } from './meta';
import { Link, navigate, useLocation } from './router';
import { logout, session } from './session';
import { adminStatus } from './status';
import { useStore } from './store';

const GROUPS: NavGroup[] = ['Channels', 'Outgoing', 'Security', 'Other'];

function NavLink({ href, children, exact }: { href: string; children?: ComponentChildren; exact?: boolean }) {
  const { path } = useLocation();
  const active = exact ? path === href : path === href || path.startsWith(href + '/');
  return html`<li><${Link} href=${href} class=${active ? 'active' : undefined} aria-current=${active ? 'page' : undefined}>${children}</${Link}></li>`;
}

function KindNav({ list }: { list: KindInfo[] }) {
  return html`${GROUPS.map((g) => {
    const ks = list.filter((k) => kindGroup(k.id) === g);
    if (!ks.length) return null;
    const id = `nav-group-${g.toLowerCase()}`;
    return html`<div class="nav-group">
      <h2 class="nav-group-title" id=${id}>${g}</h2>
      <ul aria-labelledby=${id}>
        ${ks.map((k) => html`<${NavLink} href=${`/kinds/${encodeURIComponent(k.id)}`}>${k.title}</${NavLink}>`)}
      </ul>
    </div>`;
  })}`;
}

export function Shell({ children }: { children?: ComponentChildren }) {
  const s = useStore(session);
  const info = useStore(serverInfo);
  const list = useStore(kinds);
  const status = useStore(adminStatus);
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const [find, setFind] = useState('');
  useEffect(() => setOpen(false), [path]);

  const doLogout = async () => {
    try {
      await logout();
    } catch {
      /* gone locally anyway */
    }
    navigate('/login', { replace: true });
  };
  const servers = Array.isArray(info?.['servers']) ? (info['servers'] as unknown[]).length : 0;
  const where =
    [info?.cluster, info?.server].filter((x): x is string => typeof x === 'string' && x !== '').join(' / ') +
    (servers > 1 ? ` · ${servers} servers` : '');

  return html`<div class="app">
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="topbar">
      <button type="button" class="btn nav-toggle" aria-expanded=${open ? 'true' : 'false'} aria-controls="nav-main" onClick=${() => setOpen(!open)}>Menu</button>
      <${Link} href="/" class="brand">⚓ Wharf</${Link}>
      ${where ? html`<span class="server-name" title="Server">${where}</span>` : null}
      <span class="spacer"></span>
      ${s ? html`<span class="user" aria-label="Logged in as">${s.user}</span>` : null}
      <button type="button" class="btn btn-small" onClick=${doLogout}>Log out</button>
    </header>
    <div class="layout">
      <nav id="nav-main" aria-label="Main" class=${open ? 'nav open' : 'nav'} onKeyDown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape' && open) {
          setOpen(false);
          document.querySelector<HTMLButtonElement>('.nav-toggle')?.focus();
        }
      }}>
        <form role="search" class="nav-find" onSubmit=${(e: Event) => {
          e.preventDefault();
          const q = find.trim();
          if (q) navigate('/find?q=' + encodeURIComponent(q));
        }}>
          <label for="nav-find" class="visually-hidden">Find an object</label>
          <input id="nav-find" type="search" placeholder="Find an object…" value=${find} onInput=${(e: Event) => setFind((e.currentTarget as HTMLInputElement).value)} />
        </form>
        <ul>
          <${NavLink} href="/" exact=${true}>Dashboard</${NavLink}>
          <${NavLink} href="/services">Services</${NavLink}>
          <${NavLink} href="/cluster">Cluster</${NavLink}>
        </ul>
        ${list ? html`<${KindNav} list=${list} />` : null}
        <div class="nav-group">
          <h2 class="nav-group-title" id="nav-group-admin">Administration</h2>
          <ul aria-labelledby="nav-group-admin">
            <${NavLink} href="/history">History</${NavLink}>
            <${NavLink} href="/enmasse">Enmasse</${NavLink}>
            <${NavLink} href="/users">Users</${NavLink}>
          </ul>
        </div>
      </nav>
      <main id="main" tabindex="-1">
        ${
          status.down
            ? html`<div class="banner banner-error banner-down" role="alert">
                <strong>The admin API is not answering…</strong>
                <div class="small">
                  ${status.adminUrl ? html`<code>${status.adminUrl}</code> · ` : null}checking again every 10
                  seconds${status.detail && !(status.adminUrl && status.detail.includes(status.adminUrl)) ? html` · ${status.detail}` : null}
                </div>
              </div>`
            : null
        }
        ${children}
      </main>
    </div>
  </div>`;
}
