/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and ranks self time: by function in Wharf's own
 * code (dist/...), by bucket (Wharf, each node_modules package, Node internals, GC, ...), overall.
 */
import { readFileSync } from 'node:fs';
import { ROOT } from './wharf.js';

function bucketOf(url, name) {
  if (!url) {
    if (name === '(garbage collector)') return 'GC';
    if (name === '(idle)') return 'idle';
    if (name === '(program)') return '(program: native/V8)';
    return `native: ${name || '(anonymous)'}`;
  }
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm: ${nm[1]}`;
  if (url.includes('/bench/lib/')) return 'bench code (handler/service)';
  if (url.startsWith('wharf-service:')) return 'deployed service module';
  if (url.includes('/dist/')) return 'wharf dist';
  return 'other';
}

const shortUrl = (url) => url.replace(`file://${ROOT}/`, '').replace(`${ROOT}/`, '');

export function analyseProfile(file, top = 15) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The nearest frame in Wharf's dist/ on the stack (memoised), and the profiler's own frames.
  const nearest = new Map();
  const wharfFrame = (id) => {
    if (nearest.has(id)) return nearest.get(id);
    const n = byId.get(id);
    const r = !n ? null : n.callFrame.url.includes('/dist/') ? id : parent.has(id) ? wharfFrame(parent.get(id)) : null;
    nearest.set(id, r);
    return r;
  };
  const profilerOwn = new Map();
  const isProfilerOwn = (id) => {
    if (profilerOwn.has(id)) return profilerOwn.get(id);
    const n = byId.get(id);
    const r =
      !!n &&
      (n.callFrame.url.includes('bench/lib/cpu-profile.js') ||
        n.callFrame.url === 'node:inspector' ||
        (parent.has(id) && isProfilerOwn(parent.get(id))));
    profilerOwn.set(id, r);
    return r;
  };
  const selfUs = new Map();
  // The first sample's delta covers the time before profiling started.
  for (let i = 1; i < p.samples.length; i++) {
    const id = p.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  let total = 0;
  let idle = 0;
  const fns = new Map();
  const buckets = new Map();
  const attributed = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || isProfilerOwn(id)) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const bucket = bucketOf(url, name);
    if (bucket === 'idle') {
      idle += us;
      continue;
    }
    total += us;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const key = `${name}\t${url}\t${lineNumber}`;
    const f = fns.get(key) ?? { name, url: shortUrl(url), line: lineNumber + 1, bucket, us: 0 };
    f.us += us;
    fns.set(key, f);
    const w = wharfFrame(id);
    if (w !== null) {
      const cf = byId.get(w).callFrame;
      const wkey = `${cf.functionName}\t${cf.url}\t${cf.lineNumber}`;
      const a = attributed.get(wkey) ?? {
        name: cf.functionName || '(anonymous)',
        url: shortUrl(cf.url),
        line: cf.lineNumber + 1,
        bucket: 'wharf dist',
        us: 0,
      };
      a.us += us;
      attributed.set(wkey, a);
    }
  }
  const pct = (us) => (total ? (100 * us) / total : 0);
  const all = [...fns.values()].sort((a, b) => b.us - a.us);
  const row = (f) => ({
    function: f.name,
    where: f.url ? `${f.url}:${f.line}` : '',
    bucket: f.bucket,
    selfMs: +(f.us / 1000).toFixed(1),
    selfPct: +pct(f.us).toFixed(2),
  });
  return {
    file,
    busyMs: +(total / 1000).toFixed(0),
    idleMs: +(idle / 1000).toFixed(0),
    buckets: [...buckets.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([bucket, us]) => ({ bucket, selfMs: +(us / 1000).toFixed(1), selfPct: +pct(us).toFixed(2) })),
    wharf: all
      .filter((f) => f.bucket === 'wharf dist')
      .slice(0, top)
      .map(row),
    /** Self time of a Wharf function plus the Node/npm code it calls directly (up to the next Wharf frame). */
    wharfWithCallees: [...attributed.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(row),
    overall: all.slice(0, top).map(row),
  };
}
