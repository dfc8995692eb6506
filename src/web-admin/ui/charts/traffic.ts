/**
 * Traffic charts from `GET metrics/series` (last 15 minutes, refreshed every 5 s):
 * - `TrafficCharts({ channel })` / `TrafficCharts({ service })`: one channel's or service's
 *   requests/s + errors/s and p50/p99 latency, with the last minute's values as a table (E embeds it on
 *   channel pages; the service page uses it too);
 * - `TrafficOverview`: several lines per chart (the dashboard), the busiest charted, all in a table.
 */
import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Table, type Column } from '../components/table';
import { Link } from '../router';
import { Chart, PALETTE, type LineSpec } from './uplot-chart';
import {
  aligned,
  busiest,
  fmtMs,
  fmtRate,
  isQuiet,
  latest,
  type Latest,
  type SeriesLine,
  type SeriesView,
} from './series';
import { useSeries } from './use-series';

export interface TrafficChartsProps {
  /** A channel's name (HTTP or message channel). */
  channel?: string;
  /** A service's name. */
  service?: string;
  /** Optional: the channel's kind id, to tell apart channels of different kinds with the same name. */
  kind?: string;
}

function pickChannel(view: SeriesView, name: string, kind?: string): SeriesLine | undefined {
  const same = view.channels.filter((l) => l.name === name);
  if (same.length <= 1 || !kind) return same[0];
  return (
    same.find((l) => l.kindId === kind) ??
    same.find((l) => (kind === 'channels.http' ? l.kind === 'http' : l.kind === 'message')) ??
    same[0]
  );
}

/** One channel's or service's traffic. */
export function TrafficCharts(props: TrafficChartsProps) {
  const { view, error } = useSeries();
  const what = props.channel !== undefined ? 'channel' : 'service';
  const name = props.channel ?? props.service ?? '';
  const line = view
    ? props.channel !== undefined
      ? pickChannel(view, name, props.kind)
      : view.services.find((l) => l.name === name)
    : undefined;
  const isMessage = line?.kind === 'message';
  const unitWord = isMessage ? 'Messages' : what === 'service' ? 'Calls' : 'Requests';
  const data = useMemo(
    () =>
      view && line
        ? { rate: aligned(view, [line], ['rate', 'errors']), lat: aligned(view, [line], ['p50', 'p99']) }
        : undefined,
    [view, line],
  );
  const last = view && line ? latest(line, view) : undefined;

  let body: ComponentChildren;
  if (!view)
    body = error
      ? html`<${ErrorBanner} error=${error} title="Traffic is not available" />`
      : html`<${Loading} label="Loading traffic…" />`;
  else if (!line || !data || !last || last.total === 0)
    body = html`<p class="muted">No traffic for this ${what} in the last 15 minutes.</p>`;
  else {
    const rateLabel = `${unitWord} and errors per second of ${what} ${name} over the last 15 minutes; last minute: ${fmtRate(last.rate)}, ${last.errors} errors`;
    const latLabel = `Latency of ${what} ${name} over the last 15 minutes; last minute: p50 ${fmtMs(last.p50)}, p99 ${fmtMs(last.p99)}`;
    body = html`<div class="chart-grid">
        <${Chart}
          title=${`${unitWord}/s`}
          unit="/s"
          label=${rateLabel}
          data=${data.rate}
          series=${[
            { label: `${unitWord}/s`, color: PALETTE[0]! },
            { label: 'Errors/s', color: PALETTE[4]! },
          ]}
        />
        <${Chart}
          title="Latency (p50, p99)"
          unit="ms"
          label=${latLabel}
          data=${data.lat}
          series=${[
            { label: 'p50', color: PALETTE[0]!, dash: [5, 4] },
            { label: 'p99', color: PALETTE[1]! },
          ]}
        />
      </div>
      <${LatestTable} last=${last} unitWord=${unitWord} />`;
  }
  // No heading or panel of its own: the page around it gives both (e.g. a "Traffic" section).
  return html`<div class="traffic" role="group" aria-label=${`Traffic of ${what} ${name}`}>
    <p class="muted small traffic-note">
      Last 15 minutes, refreshed every 5
      s.${view && error ? ' The last refresh failed; showing the previous answer.' : ''}
    </p>
    ${body}
  </div>`;
}

function LatestTable({ last, unitWord }: { last: Latest; unitWord: string }) {
  return html`<div class="table-wrap">
    <table class="table table-compact">
      <caption class="visually-hidden">
        Traffic in the last minute
      </caption>
      <thead>
        <tr>
          <th scope="col" class="num">${unitWord}/s (1 min)</th>
          <th scope="col" class="num">Errors (1 min)</th>
          <th scope="col" class="num">Error %</th>
          <th scope="col" class="num">p50</th>
          <th scope="col" class="num">p99</th>
          <th scope="col" class="num">${unitWord} (15 min)</th>
          <th scope="col" class="num">Errors (15 min)</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td class="num">${fmtRate(last.rate)}</td>
          <td class="num">${last.errors}</td>
          <td class="num">${last.errorPct}%</td>
          <td class="num">${fmtMs(last.p50)}</td>
          <td class="num">${fmtMs(last.p99)}</td>
          <td class="num">${last.total}</td>
          <td class="num">${last.totalErrors}</td>
        </tr>
      </tbody>
    </table>
  </div>`;
}

// ---- the dashboard's overview: several lines per chart

export interface OverviewProps {
  view: SeriesView;
  lines: SeriesLine[];
  /** `Channel` or `Service` (table header, labels). */
  noun: string;
  /** `Requests`, `Messages`, `Calls`. */
  unitWord: string;
  /** Where a line's name links to (undefined: plain text). */
  href: (line: SeriesLine) => string | undefined;
  /** An extra column (e.g. the channel's kind). */
  extra?: Column<OverviewRow>;
  /** How many lines are drawn (the busiest); the table lists all. */
  max?: number;
  /** Accessible name prefix of the table/charts, e.g. "HTTP channels". */
  label: string;
}

export interface OverviewRow {
  line: SeriesLine;
  last: Latest;
  /** Index into PALETTE when charted. */
  color?: number;
}

function listLatest(rows: OverviewRow[], pick: (l: Latest) => string): string {
  return (
    rows
      .filter((r) => r.color !== undefined)
      .map((r) => `${r.line.name} ${pick(r.last)}`)
      .join(', ') || 'no traffic'
  );
}

export function TrafficOverview(p: OverviewProps) {
  const max = p.max ?? 6;
  const charted = useMemo(
    () =>
      busiest(
        p.lines.filter((l) => l.points.some((x) => x.count > 0)),
        max,
      ),
    [p.lines, max],
  );
  const rows: OverviewRow[] = p.lines.map((line) => {
    const i = charted.indexOf(line);
    return { line, last: latest(line, p.view), ...(i >= 0 ? { color: i % PALETTE.length } : {}) };
  });
  const data = useMemo(
    () => ({
      rate: aligned(p.view, charted, ['rate']),
      errors: aligned(p.view, charted, ['errors']),
      lat: aligned(p.view, charted, ['p50', 'p99']),
    }),
    [p.view, charted],
  );
  const spec = (suffix = ''): LineSpec[] =>
    charted.map((l, i) => ({ label: l.name + suffix, color: PALETTE[i % PALETTE.length]! }));
  const latSpec: LineSpec[] = charted.flatMap((l, i) => [
    { label: `${l.name} p50`, color: PALETTE[i % PALETTE.length]!, dash: [5, 4] },
    { label: `${l.name} p99`, color: PALETTE[i % PALETTE.length]! },
  ]);
  const quiet = isQuiet(p.lines);
  const active = p.lines.filter((l) => l.points.some((x) => x.count > 0)).length;
  const cols: Column<OverviewRow>[] = [
    {
      key: 'name',
      label: p.noun,
      sortValue: (r) => r.line.name,
      render: (r) => {
        const href = p.href(r.line);
        return html`<span class="series-name">
          <span
            class=${r.color !== undefined ? `swatch swatch-${r.color}` : 'swatch swatch-none'}
            aria-hidden="true"
          ></span>
          ${href ? html`<${Link} href=${href}>${r.line.name}</${Link}>` : html`<span>${r.line.name}</span>`}
        </span>`;
      },
    },
    ...(p.extra ? [p.extra] : []),
    {
      key: 'rate',
      label: `${p.unitWord}/s`,
      className: 'num',
      sortValue: (r) => r.last.rate,
      render: (r) => fmtRate(r.last.rate),
    },
    {
      key: 'errors',
      label: 'Errors',
      className: 'num',
      sortValue: (r) => r.last.errors,
      render: (r) => html`<span class=${r.last.errors > 0 ? 'text-bad' : undefined}>${r.last.errors}</span>`,
    },
    {
      key: 'errorPct',
      label: 'Error %',
      className: 'num',
      sortValue: (r) => r.last.errorPct,
      render: (r) => `${r.last.errorPct}%`,
    },
    {
      key: 'p50',
      label: 'p50',
      className: 'num',
      sortValue: (r) => r.last.p50 ?? -1,
      render: (r) => fmtMs(r.last.p50),
    },
    {
      key: 'p99',
      label: 'p99',
      className: 'num',
      sortValue: (r) => r.last.p99 ?? -1,
      render: (r) => fmtMs(r.last.p99),
    },
    {
      key: 'total',
      label: `${p.unitWord} (15 min)`,
      className: 'num',
      sortValue: (r) => r.last.total,
      render: (r) => String(r.last.total),
    },
  ];
  return html`<div class="overview">
    ${
      quiet
        ? html`<p class="muted">No ${p.unitWord.toLowerCase()} in the last 15 minutes.</p>`
        : html`<div class="chart-grid chart-grid-3">
            <${Chart}
              title=${`${p.unitWord}/s`}
              unit="/s"
              data=${data.rate}
              series=${spec()}
              legend=${false}
              label=${`${p.unitWord} per second of ${p.label} (last minute): ${listLatest(rows, (l) => fmtRate(l.rate))}`}
            />
            <${Chart}
              title="Latency (p50 dashed, p99)"
              unit="ms"
              data=${data.lat}
              series=${latSpec}
              legend=${false}
              label=${`Latency of ${p.label} (last minute): ${listLatest(rows, (l) => `p50 ${fmtMs(l.p50)} p99 ${fmtMs(l.p99)}`)}`}
            />
            <${Chart}
              title="Errors/s"
              unit="/s"
              data=${data.errors}
              series=${spec()}
              legend=${false}
              label=${`Errors of ${p.label} (last minute): ${listLatest(rows, (l) => String(l.errors))}`}
            />
          </div>`
    }
    ${!quiet && charted.length < active ? html`<p class="muted small">The charts show the ${charted.length} busiest of ${active}; the table lists all.</p>` : null}
    ${
      p.lines.length
        ? html`<${Table}
            label=${`${p.label}: last minute`}
            columns=${cols}
            rows=${rows}
            rowKey=${(r: OverviewRow) => `${r.line.kindId ?? r.line.kind ?? ''}/${r.line.name}`}
            initialSort=${{ key: 'rate', dir: 'desc' }}
          />`
        : null
    }
  </div>`;
}
