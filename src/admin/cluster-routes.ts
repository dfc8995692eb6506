/**
 * `GET cluster/load-balancer`: the cluster's load balancer as the servers see it — its settings
 * (the admin object `cluster.loadBalancer`), its backends (the servers the ODB knows, alive per their
 * last report, or HAProxy's own view through its stats socket when this host runs the agent) and
 * the haproxy.cfg the agent generates for them. A single server without a load balancer:
 * `{ configured: false, backends: [] }`.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { isLbDir, LB_KIND, loadLbConfig, renderFor, type LbConfig } from '../cluster/lb/agent.js';
import { haproxyConfig } from '../cluster/lb/haproxy-config.js';
import { loadBalancerKind } from '../cluster/lb/kind.js';
import { WharfError } from '../errors.js';
import type { AdminContext, On } from './http.js';

const ALIVE_MS = 15_000;

/** HAProxy's `show stat` over its stats socket: server name → status (UP, DOWN, MAINT, ...). */
export function haproxyStates(socket: string, timeoutMs = 500): Promise<Map<string, string> | undefined> {
  return new Promise((resolve) => {
    if (!existsSync(socket)) return resolve(undefined);
    let text = '';
    const s = connect(socket);
    const done = (v: Map<string, string> | undefined): void => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(undefined), timeoutMs);
    s.on('error', () => done(undefined));
    s.on('connect', () => s.write('show stat\n'));
    s.on('data', (d) => {
      text += d.toString('utf8');
      if (text.length > 1_000_000) done(undefined);
    });
    s.on('end', () => done(parseStat(text)));
  });
}

export function parseStat(csv: string): Map<string, string> | undefined {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0]?.replace(/^#\s*/, '').split(',');
  if (!head) return undefined;
  const px = head.indexOf('pxname');
  const sv = head.indexOf('svname');
  const st = head.indexOf('status');
  if (px < 0 || sv < 0 || st < 0) return undefined;
  const out = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    if (c[px] === 'wharf_servers' && c[sv] !== 'BACKEND' && c[sv] !== 'FRONTEND') out.set(c[sv]!, c[st]!);
  }
  return out;
}

const safeName = (n: string): string => n.replace(/[^A-Za-z0-9._:-]/g, '_');

export function register(on: On, ctx: AdminContext): void {
  const { rt, odb } = ctx;
  on('GET', '/wharf/admin/cluster/load-balancer', async ({ query }) => {
    const objects = await odb.listObjects(LB_KIND);
    // The agent's own directory when it lives next to this server (one host, as the quickstart lays it out).
    const lbDir = join(dirname(rt.opts.config.dir), 'load-balancer');
    let local: LbConfig | undefined;
    try {
      if (isLbDir(lbDir)) local = loadLbConfig(lbDir);
    } catch {
      local = undefined;
    }
    if (objects.length === 0 && !local) return { configured: false, backends: [] };
    const wanted = typeof query['name'] === 'string' ? query['name'] : (local?.settings ?? 'default');
    const obj = objects.find((o) => o.name === wanted) ?? objects[0];
    if (typeof query['name'] === 'string' && obj?.name !== wanted)
      throw new WharfError('WHARF_ERR_OBJECT_NOT_FOUND', [loadBalancerKind.title, wanted]);
    let config: string;
    let settingsName: string;
    let frontendHost: string;
    let frontendPort: number;
    let tlsPort: number | undefined;
    if (local) {
      const r = await renderFor(odb, local);
      config = r.text;
      settingsName = local.settings;
      ({ frontendHost, frontendPort, tlsPort } = r.settings);
    } else {
      const settings = loadBalancerKind.schema.parse(obj!.data);
      const servers = (await odb.listServers())
        .filter((s) => s.port > 0)
        .map((s) => ({ name: s.name, host: s.host, port: s.port }));
      config = haproxyConfig(
        settings,
        servers,
        { errorsDir: 'errors' },
        `settings: ${settings.name}; servers: ${servers.map((b) => b.name).join(', ') || '(none)'}`,
      );
      settingsName = settings.name;
      ({ frontendHost, frontendPort, tlsPort } = settings);
    }
    const stats = local ? await haproxyStates(local.statsSocket) : undefined;
    const now = Date.now();
    const backends = (await odb.listServers())
      .filter((s) => s.port > 0)
      .map((s) => {
        const alive = s.lastSeen !== '' && now - Date.parse(s.lastSeen) < ALIVE_MS;
        const hs = stats?.get(safeName(s.name));
        const state = hs ? hs.toLowerCase().split(' ')[0]! : alive ? 'up' : 'down';
        return {
          server: s.name,
          address: `${s.host}:${s.port}`,
          state,
          lastSeen: s.lastSeen,
          source: hs ? 'haproxy' : 'odb',
        };
      });
    return {
      configured: true,
      settings: settingsName,
      frontend: `${frontendHost}:${frontendPort}`,
      ...(tlsPort ? { tlsFrontend: `${frontendHost}:${tlsPort}` } : {}),
      agent: local ? { dir: local.dir, haproxyStats: stats !== undefined } : undefined,
      backends,
      config,
    };
  });
}
