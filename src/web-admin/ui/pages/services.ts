/**
 * Services: the deployed services (module, hash, status on each server with drift highlighted, when and
 * from where), upload of .ts/.js files (file picker that uploads on choose, or drag and drop) with each
 * file's result — a refused deploy shows file:line:column, the message and the source line with a caret —
 * and delete per service (confirm; a module defining several services can be deleted whole).
 */
import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner, Notice } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { Table, type Column } from '../components/table';
import { useAsync } from '../components/use-async';
import { usePoll } from '../charts/use-series';
import { Link } from '../router';
import { StatusCell } from '../ops/badge';
import { deployErrorView, isServiceFileName, MAX_UPLOAD_BYTES, type DeployErrorView } from '../ops/deploy';
import { moduleState, shortHash } from '../ops/drift';
import { fmtTime } from '../ops/format';
import { errorMessage, refocusDialog, serviceHref } from '../ops/links';
import { serverMembers, type ServerRecord, type ServiceEntry } from '../ops/types';

interface Listing {
  services: ServiceEntry[];
  servers: ServerRecord[];
}

async function loadListing(): Promise<Listing> {
  const [services, servers] = await Promise.all([
    api<{ items: ServiceEntry[] }>('GET', 'services'),
    api<{ items: ServerRecord[] }>('GET', 'cluster/servers').catch(() => ({ items: [] as ServerRecord[] })),
  ]);
  return { services: services.items ?? [], servers: servers.items ?? [] };
}

function PerServer({ row, servers }: { row: ServiceEntry; servers: ServerRecord[] }) {
  if (!servers.length) return html`<span class="muted">—</span>`;
  const members = serverMembers(servers);
  return html`<span class="per-server"
    >${members.map((m) => {
      const st = moduleState(m, row.module, row.hash, row.deployedAt);
      const h = m.modules[row.module];
      const detail =
        st === 'outdated'
          ? `runs ${shortHash(h)}, the ODB has ${shortHash(row.hash)}`
          : st === 'missing'
            ? 'does not run this module'
            : st === 'down'
              ? 'server not answering'
              : st === 'pending'
                ? 'not reported since the deploy'
                : `runs ${shortHash(h)}`;
      return html`<span
        class=${st === 'ok' ? 'badge ops-badge badge-up' : st === 'down' ? 'badge ops-badge badge-stopped' : st === 'missing' ? 'badge ops-badge badge-down' : 'badge ops-badge badge-degraded'}
        title=${detail}
      >
        ${m.id}${st === 'ok' ? '' : `: ${st}`}<span class="visually-hidden"> (${detail})</span>
      </span>`;
    })}</span
  >`;
}

type Result =
  | { file: string; state: 'uploading' }
  | { file: string; state: 'ok'; services: string[]; unchanged: boolean; version?: number }
  | { file: string; state: 'refused'; error: DeployErrorView; code?: string };

export function DeployError({ error }: { error: DeployErrorView }) {
  return html`<div class="deploy-error">
    ${error.location ? html`<span class="where">${error.location}</span>: ` : null}<span>${error.message}</span>
    ${
      error.lineText !== undefined
        ? html`<pre><code>${error.lineText}${error.caret ? html`${'\n'}<span class="caret">${error.caret}</span>` : null}</code></pre>`
        : null
    }
  </div>`;
}

export default function Services() {
  const listing = useAsync(loadListing, []);
  // Per-server states follow the servers' heartbeats: refresh while the page is open.
  usePoll(
    () => {
      if (!document.querySelector('[role=dialog]')) listing.reload();
    },
    10_000,
    [],
    false,
  );
  const [results, setResults] = useState<Result[]>([]);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [confirm, setConfirm] = useState<{ service: string; module: string; whole?: string[] } | undefined>();
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [query, setQuery] = useState('');
  const input = useRef<HTMLInputElement>(null);

  const upload = async (files: File[]) => {
    if (!files.length || busy) return;
    setBusy(true);
    setNotice(undefined);
    const out: Result[] = files.map((f) => ({ file: f.name, state: 'uploading' }));
    setResults([...out]);
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      let r: Result;
      if (!isServiceFileName(f.name))
        r = {
          file: f.name,
          state: 'refused',
          error: { location: f.name, message: 'only .ts and .js files can be deployed' },
        };
      else if (f.size > MAX_UPLOAD_BYTES)
        r = {
          file: f.name,
          state: 'refused',
          error: { location: f.name, message: `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` },
        };
      else {
        try {
          const source = await f.text();
          const a = await api<{ services?: string[]; unchanged?: boolean; version?: number }>('POST', 'services', {
            name: f.name,
            source,
          });
          r = {
            file: f.name,
            state: 'ok',
            services: a.services ?? [],
            unchanged: a.unchanged === true,
            ...(typeof a.version === 'number' ? { version: a.version } : {}),
          };
        } catch (e) {
          const view =
            e instanceof ApiError
              ? deployErrorView(e.message, e.details, f.name)
              : { location: f.name, message: errorMessage(e) };
          r = { file: f.name, state: 'refused', error: view, ...(e instanceof ApiError ? { code: e.code } : {}) };
        }
      }
      out[i] = r;
      setResults([...out]);
    }
    setBusy(false);
    if (input.current) input.current.value = '';
    listing.reload();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void upload([...(e.dataTransfer?.files ?? [])]);
  };

  const doDelete = async () => {
    if (!confirm) return;
    setDeleting(true);
    setDeleteError(undefined);
    try {
      const r = await api<{ module?: string; services?: string[] }>(
        'DELETE',
        `services/${encodeURIComponent(confirm.service)}${confirm.whole ? '?module=1' : ''}`,
      );
      setConfirm(undefined);
      setNotice(`Deleted ${(r.services ?? [confirm.service]).join(', ')}${r.module ? ` (module ${r.module})` : ''}.`);
      listing.reload();
    } catch (e) {
      // A module defining several services: offer to delete it whole.
      if (e instanceof ApiError && e.code === 'WHARF_ERR_CONFLICT' && !confirm.whole) {
        const others = listing.data?.services.filter((s) => s.module === confirm.module).map((s) => s.service) ?? [];
        setConfirm({ ...confirm, whole: others.length ? others : [confirm.service] });
      } else setDeleteError(e);
      refocusDialog();
    } finally {
      setDeleting(false);
    }
  };

  const servers = listing.data?.servers ?? [];
  const q = query.trim().toLowerCase();
  const shown = (listing.data?.services ?? []).filter(
    (r) => !q || [r.service, r.module, r.status, r.deployedFrom ?? ''].some((x) => x.toLowerCase().includes(q)),
  );
  const cols: Column<ServiceEntry>[] = [
    {
      key: 'service',
      label: 'Service',
      render: (r) => html`<${Link} href=${serviceHref(r.service)}>${r.service}</${Link}>`,
    },
    { key: 'module', label: 'Module', render: (r) => html`<span class="mono">${r.module}</span>` },
    { key: 'hash', label: 'Hash', render: (r) => html`<span class="hash" title=${r.hash}>${shortHash(r.hash)}</span>` },
    { key: 'status', label: 'Status', render: (r) => html`<${StatusCell} status=${r.status} />` },
    {
      key: 'servers',
      label: 'Per server',
      sortable: false,
      render: (r) => html`<${PerServer} row=${r} servers=${servers} />`,
    },
    {
      key: 'deployedAt',
      label: 'Deployed at',
      render: (r) => html`<span title=${r.deployedAt}>${fmtTime(r.deployedAt)}</span>`,
    },
    { key: 'deployedFrom', label: 'From' },
    {
      key: 'actions',
      label: 'Actions',
      sortable: false,
      render: (r) =>
        html`<button
          type="button"
          class="btn btn-small btn-danger"
          aria-label=${`Delete ${r.service}`}
          onClick=${() => {
            setDeleteError(undefined);
            setConfirm({ service: r.service, module: r.module });
          }}
        >
          Delete
        </button>`,
    },
  ];
  const drifting = (r: ServiceEntry) =>
    serverMembers(servers).some((m) => {
      const s = moduleState(m, r.module, r.hash, r.deployedAt);
      return s === 'outdated' || s === 'missing';
    });

  return html`<${Page} title="Services">
    <section class="panel" aria-labelledby="h-upload">
      <h2 id="h-upload">Deploy</h2>
      <div class=${over ? 'drop-zone over upload' : 'drop-zone upload'}
        onDragOver=${(e: DragEvent) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave=${() => setOver(false)} onDrop=${onDrop}>
        <label for="upload-services" class="upload-label">Upload service files</label>
        <input id="upload-services" type="file" accept=".ts,.js" multiple ref=${input} disabled=${busy} aria-describedby="upload-help"
          onChange=${(e: Event) => void upload([...((e.currentTarget as HTMLInputElement).files ?? [])])} />
        <div id="upload-help" class="small">Choose one or more .ts or .js files — each is deployed as soon as it is chosen. Or drop files here.</div>
      </div>
      ${
        results.length
          ? html`<ul class="upload-results" aria-live="polite">
              ${results.map(
                (r, i) =>
                  html`<li
                    key=${i}
                    class=${'upload-result' + (r.state === 'ok' ? ' ok' : r.state === 'refused' ? ' bad' : '')}
                  >
                    ${
                      r.state === 'uploading'
                        ? html`<span role="status"><strong>${r.file}</strong>: deploying…</span>`
                        : r.state === 'ok'
                          ? html`<span
                              ><strong>${r.file}</strong>:
                              ${r.unchanged ? 'unchanged (the same source is deployed)' : 'deployed'}${r.services.length ? html` — ${r.services.map((s, i) => html`${i ? ', ' : ''}<${Link} href=${serviceHref(s)}>${s}</${Link}>`)}` : null}${r.version !== undefined && !r.unchanged ? html` <span class="muted small">(config version ${r.version})</span>` : null}</span
                            >`
                          : html`<div role="alert">
                              <strong>${r.file}</strong> was not deployed: <${DeployError} error=${r.error} />
                            </div>`
                    }
                  </li>`,
              )}
            </ul>`
          : null
      }
    </section>

    <${Notice}>${notice}</${Notice}>
    ${listing.error ? html`<${ErrorBanner} error=${listing.error} title="Could not list the services" />` : null}
    ${
      listing.loading && !listing.data
        ? html`<${Loading} />`
        : listing.data
          ? html`${
                listing.data.services.length > 5
                  ? html`<div class="toolbar">
                      <div class="field">
                        <label for="services-search" class="upload-label">Search services</label>
                        <input
                          id="services-search"
                          type="search"
                          value=${query}
                          placeholder="name, module or status"
                          onInput=${(e: Event) => setQuery((e.currentTarget as HTMLInputElement).value)}
                        />
                      </div>
                      <span class="muted small" role="status">${shown.length} of ${listing.data.services.length}</span>
                    </div>`
                  : null
              }
              <${Table}
                label="Deployed services"
                columns=${cols}
                rows=${shown}
                rowKey=${(r: ServiceEntry) => r.service}
                initialSort=${{ key: 'service', dir: 'asc' }}
                rowClass=${(r: ServiceEntry) => (drifting(r) ? 'drift' : undefined)}
                empty=${listing.data.services.length ? 'No service matches the search.' : 'No services are deployed yet: upload a .ts or .js file above.'}
              />`
          : null
    }

    ${
      confirm
        ? html`<${ConfirmDialog} title=${confirm.whole ? `Delete the module ${confirm.module}?` : `Delete ${confirm.service}?`} confirmLabel="Delete" danger=${true} busy=${deleting}
          onCancel=${() => setConfirm(undefined)} onConfirm=${doDelete}>
          ${
            confirm.whole
              ? html`<p>
                    <code>${confirm.service}</code> is defined in <code>${confirm.module}</code> together with other
                    services. Deleting it deletes the whole module:
                  </p>
                  <ul>
                    ${confirm.whole.map((s) => html`<li key=${s}><code>${s}</code></li>`)}
                  </ul>`
              : html`<p>
                  The service <code>${confirm.service}</code> (module <code>${confirm.module}</code>) is removed from
                  every server. Channels and jobs that use it will fail until it is deployed again.
                </p>`
          }
          ${deleteError ? html`<${ErrorBanner} error=${deleteError} title="Could not delete" />` : null}
        </${ConfirmDialog}>`
        : null
    }
  </${Page}>`;
}
