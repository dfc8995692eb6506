/** `/kinds/:kind` — the objects of one kind: search, sortable columns, active, health; "Create". */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { HealthBadge } from '../components/badges';
import { errorText } from '../errors';
import { loadInfo } from '../meta';
import { ErrorBanner, Notice } from '../components/error-banner';
import { takeFlash } from '../flash';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { Table, type Column } from '../components/table';
import { useAsync } from '../components/use-async';
import { healthOf, kinds as kindsStore, serverInfo, type KindInfo, type ServerInfo } from '../meta';
import { Link, seg } from '../router';
import { useStore } from '../store';
import NotFound from './not-found';

export interface ObjectView {
  kind: string;
  name: string;
  version?: number;
  updatedAt?: string;
  data: Record<string, unknown>;
}

/** The fields that tell objects of a kind apart, most telling first (at most 3). */
const TELLING = [
  'urlPath',
  'method',
  'service',
  'proxyTo',
  'address',
  'host',
  'port',
  'queue',
  'topicFilter',
  'topic',
  'definition',
  'exchange',
  'routingKey',
  'authUrl',
  'connection',
  'containers',
  'type',
  'every',
  'cron',
  'socketType',
  'username',
  'headerName',
  'frontendPort',
  'balance',
  'timeoutMs',
];

export function tellingFields(kind: KindInfo): string[] {
  const names = new Set(kind.fields.filter((f) => !f.secret).map((f) => f.name));
  return TELLING.filter((n) => names.has(n)).slice(0, 3);
}

export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function hasConnectors(info: ServerInfo | undefined, kindId: string): boolean {
  return !!info?.connectors?.some((c) => c.kind === kindId);
}

export default function KindList({ kind: kindId }: { kind: string }) {
  const all = useStore(kindsStore);
  if (!all) return html`<${Loading} />`;
  const kind = all.find((k) => k.id === kindId);
  if (!kind) return html`<${NotFound} text=${`There is no kind \`${kindId}\``} />`;
  return html`<${List} kind=${kind} />`;
}

function List({ kind }: { kind: KindInfo }) {
  const info = useStore(serverInfo);
  const [q, setQ] = useState('');
  const [notice] = useState(() => takeFlash());
  const res = useAsync(() => api<{ items: ObjectView[] }>('GET', `config/${seg(kind.id)}`), [kind.id]);
  const telling = tellingFields(kind);
  const hasActive = kind.fields.some((f) => f.name === 'active');
  const hasHealth = hasConnectors(info, kind.id);
  const href = (name: string) => `/kinds/${seg(kind.id)}/${seg(name)}`;

  const columns: Column<ObjectView>[] = [
    {
      key: 'name',
      label: 'Name',
      sortValue: (o) => o.name,
      render: (o) => html`<${Link} href=${href(o.name)}>${o.name}</${Link}>`,
    },
    ...telling.map((f): Column<ObjectView> => ({
      key: f,
      label: f,
      sortValue: (o) => cellText(o.data[f]),
      render: (o) => html`<span class="mono">${cellText(o.data[f])}</span>`,
    })),
    ...(hasActive
      ? [
          {
            key: 'active',
            label: 'Active',
            sortValue: (o: ObjectView) => (o.data['active'] === false ? 1 : 0),
            render: (o: ObjectView) => html`<${ActiveToggle} kind=${kind} obj=${o} onDone=${res.reload} />`,
          },
        ]
      : []),
    ...(hasHealth
      ? [
          {
            key: 'health',
            label: 'Health',
            sortValue: (o: ObjectView) => healthOf(info, kind.id, o.name)?.health?.status ?? '',
            render: (o: ObjectView) => html`<${HealthBadge} status=${healthOf(info, kind.id, o.name)} />`,
          },
        ]
      : []),
    {
      key: 'updatedAt',
      label: 'Last change',
      sortValue: (o) => o.updatedAt ?? '',
      render: (o) => html`<span class="small">${fmtTime(o.updatedAt)}</span>`,
    },
  ];

  const needle = q.trim().toLowerCase();
  const rows = (res.data?.items ?? []).filter(
    (o) =>
      !needle ||
      o.name.toLowerCase().includes(needle) ||
      telling.some((f) => cellText(o.data[f]).toLowerCase().includes(needle)),
  );

  return html`<${Page} title=${kind.title} kicker=${kindGroupLabel(kind)} actions=${html`<${Link} class="btn btn-primary" href=${`/kinds/${seg(kind.id)}/new`}>Create</${Link}>`}>
    <${Notice}>${notice}</${Notice}>
    <div class="toolbar">
      <div class="field">
        <label class="field-label form-plain-label" for="search-objects">Search objects</label>
        <input id="search-objects" type="search" value=${q} onInput=${(e: Event) => setQ((e.currentTarget as HTMLInputElement).value)} placeholder="Name or a column value" />
      </div>
      ${res.data ? html`<span class="muted small" role="status">${rows.length} of ${res.data.items.length}</span>` : null}
    </div>
    <${ErrorBanner} error=${res.error} title="Could not load the list" />
    ${
      res.loading && !res.data
        ? html`<${Loading} />`
        : res.data
          ? html`<${Table}
              label=${`${kind.title} objects`}
              columns=${columns}
              rows=${rows}
              rowKey=${(o: ObjectView) => o.name}
              initialSort=${{ key: 'name', dir: 'asc' }}
              empty=${
                res.data.items.length === 0
                  ? html`No ${kind.title} objects yet. <${Link} href=${`/kinds/${seg(kind.id)}/new`}>Create the first one</${Link}>.`
                  : html`Nothing matches “${q}”.`
              }
            />`
          : null
    }
  </${Page}>`;
}

function kindGroupLabel(kind: KindInfo): string {
  return kind.id;
}

export function fmtTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** The list's active switch: a checkbox that PATCHes `active` at once. */
function ActiveToggle({ kind, obj, onDone }: { kind: KindInfo; obj: ObjectView; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const on = obj.data['active'] !== false;
  const id = `active-${obj.name}`;
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('PATCH', `config/${seg(kind.id)}/${seg(obj.name)}`, { active: !on });
      onDone();
      void loadInfo().catch(() => undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="active-toggle">
    <input
      type="checkbox"
      id=${id}
      checked=${on}
      disabled=${busy}
      onChange=${toggle}
      aria-describedby=${error ? `${id}-err` : undefined}
    />
    <label for=${id} class=${on ? 'small' : 'small muted'}
      >${on ? 'active' : 'inactive'}<span class="visually-hidden"> (${obj.name})</span></label
    >
    ${error ? html`<span class="field-error" id=${`${id}-err`} role="alert">${error}</span>` : null}
  </span>`;
}
