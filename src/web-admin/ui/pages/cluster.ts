/**
 * The cluster: servers (address, pid, uptime, workers, config version, module hashes — drift
 * highlighted), this server's workers, module hashes per server, connector health, and the load
 * balancer (backends and their state, the generated HAProxy config read-only, a link to its settings).
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { Table, type Column } from '../components/table';
import { kinds as kindsStore, serverInfo, type ConnectorStatus } from '../meta';
import { Link } from '../router';
import { useStore } from '../store';
import { StateBadge } from '../ops/badge';
import { shortHash, type DriftReport } from '../ops/drift';
import { DriftBanner } from '../ops/drift-banner';
import { fmtAgo, fmtDuration } from '../ops/format';
import { errorMessage, kindTitle, objectHref, refocusDialog } from '../ops/links';
import type { LoadBalancerView, ServerRecord, WorkerRecord } from '../ops/types';
import { useCluster } from '../ops/use-cluster';

const POLL_MS = 10_000;
const LB_KIND = 'cluster.loadBalancer';

function frontendText(f: unknown): string {
  if (f === undefined || f === null) return '';
  if (typeof f === 'string' || typeof f === 'number') return String(f);
  if (typeof f === 'object') {
    const o = f as Record<string, unknown>;
    const host = o['host'] ?? o['frontendHost'];
    const port = o['port'] ?? o['frontendPort'];
    if (host !== undefined || port !== undefined) return `${String(host ?? '')}:${String(port ?? '')}`;
    return JSON.stringify(f);
  }
  return String(f);
}

function Reasons({ why }: { why: string[] | undefined }) {
  const list = (why ?? []).filter((w) => w !== 'down');
  return list.length
    ? html`<ul class="reasons">
        ${list.map((w) => html`<li key=${w}>${w}</li>`)}
      </ul>`
    : null;
}

export default function Cluster() {
  const info = useStore(serverInfo);
  const list = useStore(kindsStore);
  const cl = useCluster(POLL_MS, { lb: 'cluster/load-balancer' });
  const [remove, setRemove] = useState<string>();
  const [removing, setRemoving] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>();
  const expected = cl.expected;
  const servers = cl.servers.value ?? [];
  const workers = cl.workers.value?.items ?? [];
  const sd: DriftReport | undefined = cl.serverDrift;
  const wd: DriftReport | undefined = cl.workerDrift;
  const lbAnswer = cl.extra['lb'];
  const lb = lbAnswer?.value as LoadBalancerView | undefined;
  const lbError = lbAnswer?.error;
  const here = cl.workers.value?.server ?? (typeof info?.server === 'string' ? info.server : undefined);
  // `info` may come from another server than `cluster/workers` behind a load balancer: each is matched by name.
  const infoServer = typeof info?.server === 'string' ? info.server : undefined;
  const uptimeOf = (s: ServerRecord) =>
    s.uptimeMs ??
    (s.name === infoServer && typeof info?.['uptimeMs'] === 'number' ? (info['uptimeMs'] as number) : undefined);
  /** Confirmed drift of a server / worker (a difference seen in two polls in a row). */
  const drifts = (r: DriftReport | undefined, id: string) => !!r?.reasons[id]?.some((w) => w !== 'down');
  const modules = [
    ...new Set([...Object.keys(expected.modules ?? {}), ...servers.flatMap((s) => Object.keys(s.moduleHashes ?? {}))]),
  ].sort();

  const serverCols: Column<ServerRecord>[] = [
    { key: 'name', label: 'Server', render: (s) => html`<strong>${s.name}</strong>` },
    {
      key: 'state',
      label: 'State',
      sortValue: (s) => (s.alive === false ? 1 : 0),
      render: (s) =>
        html`<${StateBadge}
          state=${s.alive === false ? 'down' : 'up'}
          detail=${s.lastSeen ? `last seen ${fmtAgo(s.lastSeen)}` : undefined}
        />`,
    },
    {
      key: 'address',
      label: 'Address',
      sortValue: (s) => `${s.host ?? ''}:${s.port ?? ''}`,
      render: (s) => html`<span class="mono">${s.host ?? ''}${s.port !== undefined ? `:${s.port}` : ''}</span>`,
    },
    { key: 'pid', label: 'PID', className: 'num' },
    {
      key: 'uptime',
      label: 'Uptime',
      sortValue: uptimeOf,
      render: (s) => fmtDuration(uptimeOf(s)) || html`<span class="muted">—</span>`,
    },
    {
      key: 'workers',
      label: 'Workers',
      className: 'num',
      sortValue: (s) => s.workers ?? (s.name === here ? workers.length : undefined),
      render: (s) => String(s.workers ?? (s.name === here && cl.workers.value ? workers.length : '—')),
    },
    {
      key: 'configVersion',
      label: 'Config version',
      className: 'num',
      render: (s) =>
        html`<span class=${drifts(sd, s.name) && s.configVersion !== sd?.version ? 'cell-drift' : undefined}
          >${s.configVersion ?? ''}</span
        >`,
    },
    {
      key: 'modules',
      label: 'Modules',
      sortValue: (s) => Object.keys(s.moduleHashes ?? {}).length,
      render: (s) => html`${Object.keys(s.moduleHashes ?? {}).length}<${Reasons} why=${sd?.reasons[s.name]} />`,
    },
    {
      key: 'actions',
      label: 'Actions',
      sortable: false,
      render: (s) =>
        s.alive === false
          ? html`<button
              type="button"
              class="btn btn-small"
              aria-label=${`Remove ${s.name}`}
              onClick=${() => {
                setRemoveError(undefined);
                setRemove(s.name);
              }}
            >
              Remove
            </button>`
          : null,
    },
  ];

  const doRemove = async () => {
    if (!remove) return;
    setRemoving(true);
    try {
      await api('DELETE', `cluster/servers/${encodeURIComponent(remove)}`);
      setRemove(undefined);
      cl.refresh();
    } catch (e) {
      setRemoveError(e);
      refocusDialog();
    } finally {
      setRemoving(false);
    }
  };

  const workerCols: Column<WorkerRecord>[] = [
    { key: 'worker', label: 'Worker', className: 'num' },
    { key: 'pid', label: 'PID', className: 'num' },
    {
      key: 'configVersion',
      label: 'Config version',
      className: 'num',
      render: (w) =>
        html`<span
          class=${drifts(wd, `worker ${w.worker}`) && w.configVersion !== wd?.version ? 'cell-drift' : undefined}
          >${w.configVersion ?? ''}</span
        >`,
    },
    {
      key: 'modules',
      label: 'Module hashes',
      sortable: false,
      render: (w) =>
        html`${Object.entries(w.modules ?? {}).map(([m, h]) => {
            const want = expected.modules?.[m];
            return html`<div key=${m}>
              <span class="mono small">${m}</span>
              <span class=${'hash' + (drifts(wd, `worker ${w.worker}`) && want !== h ? ' cell-drift' : '')} title=${h}
                >${shortHash(h)}</span
              >
            </div>`;
          })}<${Reasons} why=${wd?.reasons[`worker ${w.worker}`]} />`,
    },
  ];

  const connectors = info?.connectors ?? [];
  const connectorCols: Column<ConnectorStatus>[] = [
    {
      key: 'name',
      label: 'Object',
      render: (c) => html`<${Link} href=${objectHref(c.kind, c.name)}>${c.name}</${Link}>`,
    },
    { key: 'kind', label: 'Kind', sortValue: (c) => kindTitle(list, c.kind), render: (c) => kindTitle(list, c.kind) },
    { key: 'state', label: 'State' },
    {
      key: 'health',
      label: 'Health',
      sortValue: (c) => ['down', 'degraded', 'stopped', 'up'].indexOf(c.health?.status ?? ''),
      render: (c) => html`<${StateBadge} state=${c.health?.status ?? c.state ?? 'unknown'} />`,
    },
    { key: 'detail', label: 'Reason', sortable: false, render: (c) => c.health?.detail ?? '' },
  ];

  const lbKind = list?.find((k) => k.id === LB_KIND);

  return html`<${Page} title="Cluster">
    ${cl.servers.error ? html`<${ErrorBanner} error=${cl.servers.error} title="Could not read the servers" />` : null}
    ${sd?.drift || wd?.drift ? html`<${DriftBanner} servers=${sd} workers=${wd} link=${false} />` : null}

    <section>
      <div class="section-title"><h2 id="h-servers">Servers</h2>
        <span class="muted small">${sd ? `${sd.alive} of ${servers.length} up · ODB config version ${expected.version ?? '?'}` : ''}</span></div>
      ${
        !cl.servers.value
          ? cl.servers.error
            ? null
            : html`<${Loading} />`
          : html`<${Table}
              label="Servers"
              columns=${serverCols}
              rows=${servers}
              rowKey=${(s: ServerRecord) => s.name}
              initialSort=${{ key: 'name', dir: 'asc' }}
              rowClass=${(s: ServerRecord) => (drifts(sd, s.name) ? 'drift' : undefined)}
              empty="No server has registered in the ODB."
            />`
      }
    </section>

    ${
      modules.length && servers.length
        ? html`<section>
            <h2 id="h-modules">Module hashes per server</h2>
            <div class="table-wrap" role="region" aria-labelledby="h-modules" tabindex="0">
              <table class="table table-compact matrix">
                <thead>
                  <tr>
                    <th scope="col">Module</th>
                    <th scope="col">ODB</th>
                    ${servers.map((s) => html`<th scope="col" key=${s.name}>${s.name}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${modules.map((m) => {
                    const want = expected.modules?.[m];
                    return html`<tr key=${m}>
                      <th scope="row" class="mono">${m}</th>
                      <td>
                        <span class="hash" title=${want ?? ''}
                          >${want ? shortHash(want) : html`<span class="muted">not in the ODB</span>`}</span
                        >
                      </td>
                      ${servers.map((s) => {
                        const h = s.moduleHashes?.[m];
                        const bad = drifts(sd, s.name) && (want !== undefined ? h !== want : !!h);
                        return html`<td key=${s.name} class=${bad ? (h ? 'cell-drift' : 'cell-bad') : undefined}>
                          ${h ? html`<span class="hash" title=${h}>${shortHash(h)}</span>` : html`<span>missing</span>`}${bad ? html`<span class="visually-hidden"> (differs from the ODB)</span>` : null}
                        </td>`;
                      })}
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>
          </section>`
        : null
    }

    <section>
      <h2 id="h-workers">Workers${here ? html` <span class="muted small">of ${here}</span>` : null}</h2>
      ${cl.workers.error && !cl.workers.value ? html`<${ErrorBanner} error=${cl.workers.error} title="Could not read the workers" />` : null}
      ${
        cl.workers.value
          ? html`<${Table}
              label="Workers"
              columns=${workerCols}
              rows=${workers}
              rowKey=${(w: WorkerRecord) => String(w.worker)}
              rowClass=${(w: WorkerRecord) => (drifts(wd, `worker ${w.worker}`) ? 'drift' : undefined)}
              empty="No workers reported."
            />`
          : cl.workers.error
            ? null
            : html`<${Loading} />`
      }
    </section>

    <section>
      <h2 id="h-health">Connector health${infoServer ? html` <span class="muted small">on ${infoServer}</span>` : null}</h2>
      ${
        !info
          ? html`<${Loading} />`
          : html`<${Table}
              label="Connector health"
              columns=${connectorCols}
              rows=${connectors}
              rowKey=${(c: ConnectorStatus) => `${c.kind}/${c.name}`}
              initialSort=${{ key: 'health', dir: 'asc' }}
              empty="No connectors run on this server."
            />`
      }
    </section>

    <section class="panel" aria-labelledby="h-lb">
      <div class="section-title"><h2 id="h-lb">Load balancer</h2>
        ${lbKind ? html`<${Link} href=${`/kinds/${encodeURIComponent(LB_KIND)}`}>${lbKind.title} settings</${Link}>` : null}</div>
      ${lbError && !lb ? html`<p class="muted">The load balancer view is not available: ${errorMessage(lbError)}</p>` : null}
      ${
        !lb
          ? lbError
            ? null
            : html`<${Loading} />`
          : !lb.configured
            ? html`<p class="muted">
                No load balancer is configured for this environment (a single server takes the traffic itself).
              </p>`
            : html` ${lb.frontend !== undefined ? html`<p>Frontend: <span class="mono">${frontendText(lb.frontend)}</span></p>` : null}
                <div class="table-wrap">
                  <table class="table table-compact">
                    <caption class="visually-hidden">
                      Load balancer backends
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Backend</th>
                        <th scope="col">Address</th>
                        <th scope="col">State</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${
                        lb.backends.length
                          ? lb.backends.map(
                              (b) =>
                                html`<tr key=${b.server}>
                                  <td>${b.server}</td>
                                  <td class="mono">${b.address ?? ''}</td>
                                  <td><${StateBadge} state=${b.state ?? 'unknown'} /></td>
                                </tr>`,
                            )
                          : html`<tr>
                              <td colspan="3" class="empty">No backends.</td>
                            </tr>`
                      }
                    </tbody>
                  </table>
                </div>
                ${
                  typeof lb.config === 'string'
                    ? html`<h3 id="h-lb-config">
                          Generated HAProxy configuration <span class="muted small">(read-only)</span>
                        </h3>
                        <pre
                          class="block lb-config"
                          tabindex="0"
                          role="region"
                          aria-labelledby="h-lb-config"
                        ><code>${lb.config}</code></pre>`
                    : null
                }`
      }
    </section>
    ${
      remove
        ? html`<${ConfirmDialog} title=${`Remove ${remove}?`} confirmLabel="Remove" danger=${true} busy=${removing} onCancel=${() => setRemove(undefined)} onConfirm=${doRemove}>
          <p>The server <strong>${remove}</strong> is not answering. Removing it deletes its record from the ODB: it leaves this list and the load balancer's backends. A server that starts again registers itself anew.</p>
          ${removeError ? html`<${ErrorBanner} error=${removeError} title="Could not remove" />` : null}
        </${ConfirmDialog}>`
        : null
    }
  </${Page}>`;
}
