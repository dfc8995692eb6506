/**
 * The dashboard: servers up/total with drift, connectors by health, problems (objects naming something
 * missing), and live traffic charts over the last 15 minutes (channels, message channels, services).
 */
import { html } from 'htm/preact';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { kinds as kindsStore, serverInfo, type ConnectorStatus } from '../meta';
import { Link } from '../router';
import { useStore } from '../store';
import { TrafficOverview } from '../charts/traffic';
import { fmtRate, latest, type SeriesLine } from '../charts/series';
import { useSeries } from '../charts/use-series';
import { badgeClass, StateBadge } from '../ops/badge';
import { useChannelKinds } from '../ops/channel-kinds';
import { DriftBanner } from '../ops/drift-banner';
import { errorMessage, kindTitle, objectHref, problemHref, problemKindTitle, serviceHref } from '../ops/links';
import type { Problem } from '../ops/types';
import { diffHref, type HistoryItem } from '../components/object-history';
import { fmtAgo } from '../ops/format';
import { useCluster } from '../ops/use-cluster';

const POLL_MS = 15_000;

const items = <T>(r: unknown): T[] => {
  const x = (r as { items?: unknown } | undefined)?.items;
  return Array.isArray(x) ? (x as T[]) : [];
};

const HEALTH_ORDER = ['down', 'degraded', 'stopped', 'up'];
const healthOf = (c: ConnectorStatus) => c.health?.status ?? c.state ?? 'unknown';

export default function Dashboard() {
  const info = useStore(serverInfo);
  const list = useStore(kindsStore);
  const cl = useCluster(POLL_MS, { problems: 'problems', history: 'history?limit=8' });
  const { view, error: seriesError } = useSeries();
  const resolveKind = useChannelKinds(view?.channels);
  const servers = cl.servers.value;
  const problemsAnswer = cl.extra['problems'];
  const problems = problemsAnswer?.value !== undefined ? items<Problem>(problemsAnswer.value) : undefined;
  const problemsError = problemsAnswer?.error;
  const changes = cl.extra['history']?.value !== undefined ? items<HistoryItem>(cl.extra['history'].value) : undefined;
  const serverDrift = cl.serverDrift;
  const workerDrift = cl.workerDrift;
  const connectors = [...(info?.connectors ?? [])].sort(
    (a, b) => HEALTH_ORDER.indexOf(healthOf(a)) - HEALTH_ORDER.indexOf(healthOf(b)) || a.name.localeCompare(b.name),
  );
  const counts: Record<string, number> = {};
  for (const c of connectors) counts[healthOf(c)] = (counts[healthOf(c)] ?? 0) + 1;
  const notUp = connectors.filter((c) => healthOf(c) !== 'up');

  const http = view?.channels.filter((l) => l.kind !== 'message') ?? [];
  const message = view?.channels.filter((l) => l.kind === 'message') ?? [];
  const allChannels = view ? view.channels.map((l) => latest(l, view)) : [];
  const reqRate = allChannels.reduce((s, l) => s + l.rate, 0);
  const reqErrors = allChannels.reduce((s, l) => s + l.errors, 0);
  const channelHref = (l: SeriesLine) => {
    const k = resolveKind(l);
    return k ? objectHref(k, l.name) : undefined;
  };
  const kindColumn = {
    key: 'kind',
    label: 'Kind',
    sortValue: (r: { line: SeriesLine }) => resolveKind(r.line) ?? r.line.kind ?? '',
    render: (r: { line: SeriesLine }) => {
      const k = resolveKind(r.line);
      return k ? kindTitle(list, k) : (r.line.kind ?? '');
    },
  };

  const upCount = serverDrift ? serverDrift.alive : undefined;
  const total = servers?.length;
  const drifting = !!(serverDrift?.drift || workerDrift?.drift);

  return html`<${Page} title="Dashboard">
    ${cl.servers.error && !servers ? html`<${ErrorBanner} error=${cl.servers.error} title="Could not read the cluster" />` : null}
    <div class="glance">
      <div class=${'glance-card' + (total !== undefined && upCount !== total ? ' bad' : drifting ? ' warn' : '')}>
        <h2 id="g-servers">Servers up</h2>
        <div class="glance-value">${upCount ?? '…'}<span class="of"> / ${total ?? '…'}</span></div>
        <div class="small">${drifting ? html`<${Link} href="/cluster">Drift: see Cluster</${Link}>` : serverDrift ? html`<span class="text-ok">same config everywhere</span>` : ''}</div>
      </div>
      <div class=${'glance-card' + ((counts['down'] ?? 0) > 0 ? ' bad' : (counts['degraded'] ?? 0) > 0 ? ' warn' : '')}>
        <h2 id="g-conn">Connectors</h2>
        <div class="glance-value">${counts['up'] ?? 0}<span class="of"> up of ${connectors.length}</span></div>
        <div class="badges">${HEALTH_ORDER.filter((h) => h !== 'up' && counts[h]).map((h) => html`<span class=${badgeClass(h)}>${counts[h]} ${h}</span>`)}</div>
      </div>
      <div class=${'glance-card' + (problems?.length ? ' warn' : '')}>
        <h2 id="g-problems">Problems</h2>
        <div class="glance-value">${problems ? problems.length : problemsError ? '?' : '…'}</div>
      </div>
      <div class="glance-card">
        <h2 id="g-traffic">Channel traffic (last minute)</h2>
        <div class="glance-value">${view ? fmtRate(reqRate) : '…'}</div>
        <div class="small">${view ? html`<span class=${reqErrors > 0 ? 'text-bad' : undefined}>${reqErrors} errors</span>` : ''}</div>
      </div>
    </div>

    ${drifting ? html`<${DriftBanner} servers=${serverDrift} workers=${workerDrift} />` : null}

    <div class="dash-panels">
      <section class="panel" aria-labelledby="h-problems">
        <h2 id="h-problems">Problems</h2>
        ${
          problems === undefined
            ? problemsError
              ? html`<p class="muted">Problems are not available: ${errorMessage(problemsError)}</p>`
              : html`<${Loading} />`
            : problems.length === 0
              ? html`<p class="muted">No object names anything missing.</p>`
              : html`<ul class="plain-list">
                  ${problems.map(
                    (p) =>
                      html`<li key=${`${p.kind}/${p.name}/${p.field ?? ''}/${p.problem}`}><${Link} href=${problemHref(p.kind, p.name)}>${p.name}</${Link}> <span class="muted small">${problemKindTitle(list, p.kind)}</span><div class="small">${p.field ? html`<code>${p.field}</code>: ` : null}${p.problem}</div></li>`,
                  )}
                </ul>`
        }
      </section>
      <section class="panel" aria-labelledby="h-conn">
        <h2 id="h-conn">Connectors not up</h2>
        ${
          !info
            ? html`<${Loading} />`
            : notUp.length === 0
              ? html`<p class="muted">
                  ${connectors.length ? `All ${connectors.length} connectors are up.` : 'No connectors run on this server.'}
                </p>`
              : html`<ul class="plain-list">
                  ${notUp.map(
                    (c) =>
                      html`<li key=${`${c.kind}/${c.name}`}><${StateBadge} state=${healthOf(c)} /> <${Link} href=${objectHref(c.kind, c.name)}>${c.name}</${Link}> <span class="muted small">${kindTitle(list, c.kind)}</span>${c.health?.detail ? html`<div class="small">${c.health.detail}</div>` : null}</li>`,
                  )}
                </ul>`
        }
      </section>
      <section class="panel" aria-labelledby="h-changes">
        <div class="section-title"><h2 id="h-changes">Recent changes</h2><${Link} href="/history" class="small">History</${Link}></div>
        ${
          changes === undefined
            ? cl.extra['history']?.error
              ? html`<p class="muted">The history is not available: ${errorMessage(cl.extra['history'].error)}</p>`
              : html`<${Loading} />`
            : changes.length === 0
              ? html`<p class="muted">No changes yet.</p>`
              : html`<ul class="plain-list">
                  ${changes.map(
                    (h) => html`<li key=${h.version}>
                  <${Link} href=${diffHref(h)} aria-label=${`Version ${h.version}: ${h.action} ${problemKindTitle(list, h.kind)} ${h.name}`}>v${h.version}</${Link}>
                  <span class=${badgeClass(h.action === 'create' || h.action === 'deploy' ? 'up' : h.action === 'delete' || h.action === 'undeploy' ? 'down' : 'degraded')}>${h.action}</span>
                  <strong>${h.name}</strong> <span class="muted small">${problemKindTitle(list, h.kind)}</span>
                  <div class="small muted">${h.who ? `${h.who} · ` : ''}${fmtAgo(h.at)}${h.summary ? ` · ${h.summary}` : ''}</div>
                </li>`,
                  )}
                </ul>`
        }
      </section>
    </div>

    <section class="panel" aria-labelledby="h-traffic">
      <div class="section-title"><h2 id="h-traffic">Channels</h2><span class="muted small">last 15 minutes, refreshed every 5 s</span></div>
      ${seriesError && !view ? html`<${ErrorBanner} error=${seriesError} title="Traffic is not available" />` : null}
      ${!view ? (seriesError ? null : html`<${Loading} label="Loading traffic…" />`) : html`<${TrafficOverview} view=${view} lines=${http} noun="Channel" unitWord="Requests" label="HTTP channels" href=${channelHref} extra=${kindColumn} />`}
    </section>
    ${
      view && message.length
        ? html`<section class="panel" aria-labelledby="h-messages">
            <div class="section-title">
              <h2 id="h-messages">Message channels</h2>
              <span class="muted small">messages per second per channel</span>
            </div>
            <${TrafficOverview}
              view=${view}
              lines=${message}
              noun="Channel"
              unitWord="Messages"
              label="message channels"
              href=${channelHref}
              extra=${kindColumn}
            />
          </section>`
        : null
    }
    ${
      view
        ? html`<section class="panel" aria-labelledby="h-services">
            <div class="section-title">
              <h2 id="h-services">Services</h2>
              <span class="muted small">calls from channels, jobs and the console</span>
            </div>
            <${TrafficOverview}
              view=${view}
              lines=${view.services}
              noun="Service"
              unitWord="Calls"
              label="services"
              href=${(l: SeriesLine) => serviceHref(l.name)}
            />
          </section>`
        : null
    }
  </${Page}>`;
}
