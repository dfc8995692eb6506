/**
 * `/wharf/metrics`: Prometheus text format, one page per server.
 *
 * Each worker counts what it serves (requests per channel and service and status code, a latency
 * histogram, errors) and knows its own state (config version, modules, connector health, memory,
 * async invocations). A scrape lands on one worker of the server (the port is shared); that worker
 * asks its primary to collect a snapshot from every worker (node:cluster IPC, bounded by a timeout)
 * and renders them **aggregated per server**: counters and histogram buckets are summed across
 * workers, so a scrape gives the same totals whichever worker answers it and Prometheus needs no
 * `sum by` over short-lived worker pids. Facts that can differ between workers (config version,
 * memory) are reported per worker with a `worker` label, so drift between workers stays visible.
 *
 * Pool usage: connectors do not expose pool statistics through a common interface yet; their health
 * is exported (`wharf_connector_instances`), pool gauges are not.
 */
import type { Worker } from 'node:cluster';
import type { InstanceStatus } from '../connectors/manager.js';
import type { SeriesDump } from './metrics-series.js';

export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  channel: string;
  service: string;
  /** Requests per HTTP status code. */
  codes: Record<string, number>;
  /** Cumulative per bucket is computed on render; here: counts per bucket (last = +Inf). */
  buckets: number[];
  sum: number;
  count: number;
}

export interface MetricsSnapshot {
  workerId: number;
  pid: number;
  configVersion: number;
  modules: Record<string, string>;
  series: Series[];
  connectors: Array<
    Pick<InstanceStatus, 'kind' | 'name' | 'placement' | 'state'> & { status: string; detail?: string | undefined }
  >;
  rssBytes: number;
  heapUsedBytes: number;
  uptimeSeconds: number;
  async?: { accepted: number; run: number; claimed: number; dead: number } | undefined;
}

export class RequestMetrics {
  /** channel → service → series (nested maps: no key string built per request). */
  private readonly series = new Map<string, Map<string, Series>>();

  /** The `observe` hook of the HTTP handler. */
  readonly observe = (channel: string, service: string, status: number, ms: number): void => {
    let byService = this.series.get(channel);
    if (!byService) {
      byService = new Map();
      this.series.set(channel, byService);
    }
    let s = byService.get(service);
    if (!s) {
      s = {
        channel,
        service,
        codes: {},
        buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byService.set(service, s);
    }
    s.codes[status] = (s.codes[status] ?? 0) + 1;
    const sec = ms / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && sec > LATENCY_BUCKETS[i]!) i++;
    s.buckets[i]!++;
    s.sum += sec;
    s.count++;
  };

  list(): Series[] {
    return [...this.series.values()]
      .flatMap((m) => [...m.values()])
      .map((s) => ({ ...s, codes: { ...s.codes }, buckets: [...s.buckets] }));
  }
}

// ---- rendering

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
function labels(l: Record<string, string | number>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(String(v))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}
const num = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));

export function renderMetrics(server: string, snaps: MetricsSnapshot[], extra: { odbVersion?: number } = {}): string {
  const out: string[] = [];
  const head = (name: string, type: string, help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  const base = { server };

  // Requests, summed over workers.
  const merged = new Map<string, Series>();
  for (const snap of snaps) {
    for (const s of snap.series) {
      const k = `${s.channel}\u0000${s.service}`;
      const m = merged.get(k) ?? {
        channel: s.channel,
        service: s.service,
        codes: {},
        buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      for (const [c, n] of Object.entries(s.codes)) m.codes[c] = (m.codes[c] ?? 0) + n;
      s.buckets.forEach((n, i) => (m.buckets[i] = (m.buckets[i] ?? 0) + n));
      m.sum += s.sum;
      m.count += s.count;
      merged.set(k, m);
    }
  }
  const series = [...merged.values()].sort((a, b) => (a.channel + a.service).localeCompare(b.channel + b.service));

  head(
    'wharf_http_requests_total',
    'counter',
    'HTTP requests served by channels, per channel, service and status code.',
  );
  for (const s of series)
    for (const [code, n] of Object.entries(s.codes).sort())
      out.push(`wharf_http_requests_total${labels({ ...base, channel: s.channel, service: s.service, code })} ${n}`);

  head(
    'wharf_http_request_errors_total',
    'counter',
    'HTTP requests answered with a 4xx (client) or 5xx (server) status, per channel and service.',
  );
  for (const s of series) {
    let client = 0;
    let srv = 0;
    for (const [code, n] of Object.entries(s.codes)) {
      if (code.startsWith('4')) client += n;
      else if (code.startsWith('5')) srv += n;
    }
    out.push(
      `wharf_http_request_errors_total${labels({ ...base, channel: s.channel, service: s.service, class: 'client' })} ${client}`,
    );
    out.push(
      `wharf_http_request_errors_total${labels({ ...base, channel: s.channel, service: s.service, class: 'server' })} ${srv}`,
    );
  }

  head('wharf_http_request_duration_seconds', 'histogram', 'Time from request to response, per channel and service.');
  for (const s of series) {
    let cum = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cum += s.buckets[i] ?? 0;
      out.push(
        `wharf_http_request_duration_seconds_bucket${labels({ ...base, channel: s.channel, service: s.service, le: String(le) })} ${cum}`,
      );
    });
    cum += s.buckets[LATENCY_BUCKETS.length] ?? 0;
    out.push(
      `wharf_http_request_duration_seconds_bucket${labels({ ...base, channel: s.channel, service: s.service, le: '+Inf' })} ${cum}`,
    );
    out.push(
      `wharf_http_request_duration_seconds_sum${labels({ ...base, channel: s.channel, service: s.service })} ${num(s.sum)}`,
    );
    out.push(
      `wharf_http_request_duration_seconds_count${labels({ ...base, channel: s.channel, service: s.service })} ${s.count}`,
    );
  }

  head('wharf_workers', 'gauge', 'Worker processes that answered this scrape.');
  out.push(`wharf_workers${labels(base)} ${snaps.length}`);

  head('wharf_config_version', 'gauge', 'Config version each worker has applied.');
  for (const w of snaps) out.push(`wharf_config_version${labels({ ...base, worker: w.workerId })} ${w.configVersion}`);
  if (extra.odbVersion !== undefined) {
    head('wharf_config_version_odb', 'gauge', 'Config version in the ODB (the cluster-wide truth).');
    out.push(`wharf_config_version_odb${labels(base)} ${extra.odbVersion}`);
  }

  head('wharf_deployed_modules', 'gauge', 'Service modules each worker runs.');
  for (const w of snaps)
    out.push(`wharf_deployed_modules${labels({ ...base, worker: w.workerId })} ${Object.keys(w.modules).length}`);

  head('wharf_connector_instances', 'gauge', 'Connector instances per health status, summed over workers.');
  const conn = new Map<string, { kind: string; name: string; status: string; n: number }>();
  for (const w of snaps) {
    for (const c of w.connectors) {
      const k = `${c.kind}\u0000${c.name}\u0000${c.status}`;
      const e = conn.get(k) ?? { kind: c.kind, name: c.name, status: c.status, n: 0 };
      e.n++;
      conn.set(k, e);
    }
  }
  for (const c of [...conn.values()].sort((a, b) =>
    `${a.kind}${a.name}${a.status}`.localeCompare(`${b.kind}${b.name}${b.status}`),
  )) {
    out.push(`wharf_connector_instances${labels({ ...base, kind: c.kind, name: c.name, status: c.status })} ${c.n}`);
  }

  const asyncSnaps = snaps.filter((w) => w.async);
  if (asyncSnaps.length > 0) {
    head(
      'wharf_async_invocations_total',
      'counter',
      'Async invocations by event: accepted (queued here), run (finished here), claimed (taken over from a dead worker), dead (moved to the dead-letter stream).',
    );
    for (const ev of ['accepted', 'run', 'claimed', 'dead'] as const) {
      out.push(
        `wharf_async_invocations_total${labels({ ...base, event: ev })} ${asyncSnaps.reduce((a, w) => a + (w.async?.[ev] ?? 0), 0)}`,
      );
    }
  }

  head('wharf_process_resident_memory_bytes', 'gauge', 'Resident memory of each worker process.');
  for (const w of snaps)
    out.push(`wharf_process_resident_memory_bytes${labels({ ...base, worker: w.workerId })} ${w.rssBytes}`);
  head('wharf_process_heap_used_bytes', 'gauge', 'V8 heap in use in each worker process.');
  for (const w of snaps)
    out.push(`wharf_process_heap_used_bytes${labels({ ...base, worker: w.workerId })} ${w.heapUsedBytes}`);
  head('wharf_process_uptime_seconds', 'gauge', 'Seconds since each worker started.');
  for (const w of snaps)
    out.push(`wharf_process_uptime_seconds${labels({ ...base, worker: w.workerId })} ${Math.round(w.uptimeSeconds)}`);
  return `${out.join('\n')}\n`;
}

// ---- collecting from every worker of a server over node:cluster IPC

const GATHER = 'wharf:metrics-gather';
const COLLECT = 'wharf:metrics-collect';
const PART = 'wharf:metrics-part';
const RESULT = 'wharf:metrics-result';

/** What a gather collects: the Prometheus snapshot, or the recent series (`arg` = minutes). */
type What = 'snapshot' | 'series';
type Part = { workerId: number };
type Msg = { type: string; id: number; from?: number; what?: What; arg?: number; snapshot?: Part; parts?: Part[] };
const isMsg = (m: unknown, type: string): m is Msg =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

/** In a worker: answers the primary's collect requests and gathers the server's snapshots. */
export class WorkerMetricsChannel {
  private seq = 0;
  private readonly waiting = new Map<number, (parts: Part[]) => void>();

  constructor(
    private readonly workerId: number,
    private readonly snapshot: () => MetricsSnapshot,
    private readonly series?: (minutes: number) => SeriesDump,
  ) {
    process.on('message', (m: unknown) => {
      if (isMsg(m, COLLECT))
        process.send?.({ type: PART, id: m.id, from: m.from, snapshot: this.local(m.what ?? 'snapshot', m.arg ?? 0) });
      else if (isMsg(m, RESULT)) this.waiting.get(m.id)?.(m.parts ?? []);
    });
  }

  private local(what: What, arg: number): Part {
    if (what === 'series') {
      const empty: SeriesDump = { workerId: this.workerId, channels: [], services: [] };
      return this.series ? this.series(arg) : empty;
    }
    return this.snapshot();
  }

  /** Every worker's snapshot (this one's alone when there is no primary or it does not answer). */
  gather(timeoutMs = 1500): Promise<MetricsSnapshot[]> {
    return this.collect('snapshot', 0, timeoutMs) as Promise<MetricsSnapshot[]>;
  }

  /** Every worker's recent series over the last `minutes`. */
  gatherSeries(minutes: number, timeoutMs = 1500): Promise<SeriesDump[]> {
    return this.collect('series', minutes, timeoutMs) as Promise<SeriesDump[]>;
  }

  private collect(what: What, arg: number, timeoutMs: number): Promise<Part[]> {
    if (!process.send) return Promise.resolve([this.local(what, arg)]);
    const id = ++this.seq;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        resolve([this.local(what, arg)]);
      }, timeoutMs);
      this.waiting.set(id, (parts) => {
        clearTimeout(t);
        this.waiting.delete(id);
        resolve(parts.some((p) => p.workerId === this.workerId) ? parts : [this.local(what, arg), ...parts]);
      });
      process.send!({ type: GATHER, id, from: this.workerId, what, arg });
    });
  }
}

/**
 * In the primary: relays a worker's gather request to every worker and sends the parts back
 * (after all answered, or after `timeoutMs` with those that did). Returns true when it handled `m`.
 */
export class PrimaryMetricsRelay {
  private seq = 0;
  private readonly rounds = new Map<
    number,
    { requester: Worker; reqId: number; parts: Part[]; expected: number; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly workers: () => Iterable<Worker>,
    private readonly timeoutMs = 1000,
  ) {}

  handle(from: Worker, m: unknown): boolean {
    if (isMsg(m, GATHER)) {
      const id = ++this.seq;
      const live = [...this.workers()].filter((w) => w.isConnected());
      const timer = setTimeout(() => this.finish(id), this.timeoutMs);
      this.rounds.set(id, { requester: from, reqId: m.id, parts: [], expected: live.length, timer });
      const what: What = m.what === 'series' ? 'series' : 'snapshot';
      for (const w of live)
        w.send({ type: COLLECT, id, from: m.from, what, arg: typeof m.arg === 'number' ? m.arg : 0 });
      return true;
    }
    if (isMsg(m, PART)) {
      const r = this.rounds.get(m.id);
      if (r && m.snapshot) {
        r.parts.push(m.snapshot);
        if (r.parts.length >= r.expected) this.finish(m.id);
      }
      return true;
    }
    return false;
  }

  private finish(id: number): void {
    const r = this.rounds.get(id);
    if (!r) return;
    clearTimeout(r.timer);
    this.rounds.delete(id);
    if (r.requester.isConnected())
      r.requester.send({ type: RESULT, id: r.reqId, parts: r.parts.sort((a, b) => a.workerId - b.workerId) });
  }
}
