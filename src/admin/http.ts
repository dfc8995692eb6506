/**
 * The admin API: every admin operation over authenticated HTTP JSON under `/wharf/admin/`, on
 * every server. The CLI, enmasse and the web admin are its clients. `/wharf/ping` is open, and so is
 * `/wharf/openapi.json` unless `contracts.public: false` (contract-routes.ts);
 * `/wharf/metrics` (Prometheus text: counts and timings per channel/service, versions, health; no
 * payloads, no secrets) takes admin credentials or the metrics bearer token, so a scraper needs no
 * admin user (see metrics-auth.ts); the generated HAProxy config also keeps it off the public
 * frontend unless exposeMetrics is set (see docs/cluster.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import { parse as parseQuery } from 'node:querystring';
import { readBody } from '../channels/http/body.js';
import { allKinds, getKind } from '../config/registry.js';
import { loadConnector } from '../connectors/registry.js';
import { WharfError } from '../errors.js';
import type { OdbWriter } from '../odb/odb.js';
import type { AdminRuntime } from './runtime.js';
import { AdminAuth } from './auth.js';
import { checkAdminDoors } from './doors.js';
import { MetricsAccess } from './metrics-auth.js';
import { deployedServices, missingServices, serviceWarnings, warningOf, warningsField } from './missing-services.js';
import * as authRoutes from './auth-routes.js';
import { createObject, deleteObject, editObject, view } from './config-ops.js';
import { describeKinds } from './kinds-info.js';
import type { SeriesDump } from '../cluster/metrics-series.js';
import * as metricsRoutes from './metrics-routes.js';
import * as historyRoutes from './history-routes.js';
import * as userRoutes from './user-routes.js';
import * as serviceRoutes from './service-routes.js';
import * as enmasseRoutes from './enmasse-routes.js';
import * as clusterRoutes from './cluster-routes.js';
import * as contractRoutes from './contract-routes.js';
import { RawReply } from './raw-reply.js';

type Params = Record<string, string>;
export interface Call {
  req: IncomingMessage;
  params: Params;
  query: Record<string, string | string[] | undefined>;
  body: () => Promise<Record<string, unknown>>;
  /** The authenticated admin user ('' on open routes). */
  user: string;
  cid: string;
}
export type Handler = (c: Call) => Promise<unknown>;
export interface RouteOptions {
  /** No credentials needed (e.g. login). */
  open?: boolean;
  /** Status of a successful answer (default 200). */
  status?: number;
}
/** Registers one admin route; `path` is absolute (`/wharf/admin/...`). */
export type On = (method: FindMyWay.HTTPMethod, path: string, h: Handler, o?: RouteOptions) => void;
/** What every route module gets: the runtime, the ODB and a write that publishes the new version. */
export interface AdminContext {
  rt: AdminRuntime;
  deps: AdminDeps;
  odb: AdminRuntime['opts']['odb'];
  /** One ODB transaction under a new version, announced to every worker; `who` is recorded with it. */
  write<T>(fn: (w: OdbWriter) => Promise<T>, who?: string): Promise<{ result: T; version: number }>;
}

/** ODB state scope of each server's start time and worker count (written by its worker 1 at start). */
export const SERVER_FACTS_SCOPE = 'cluster.server';

/** Route modules: `(on, ctx) => void`, each in its own file under src/admin/. */
const routeModules: Array<(on: On, ctx: AdminContext) => void> = [
  metricsRoutes.register,
  serviceRoutes.register,
  enmasseRoutes.register,
  clusterRoutes.register,
  authRoutes.register,
  historyRoutes.register,
  userRoutes.register,
  contractRoutes.register,
];

const MAX_ADMIN_BODY = 50 * 1024 * 1024;

export interface AdminDeps {
  rt: AdminRuntime;
  publish(version: number): Promise<void>;
  /** Extra facts for `info` (workers, pid, uptime). */
  info(): Record<string, unknown>;
  /** The Prometheus page of this server (all workers). */
  metrics?(): Promise<string>;
  /** What each worker of this server runs (config version, module hashes). */
  workers?(): Promise<
    Array<{
      workerId: number;
      pid: number;
      configVersion: number;
      modules: Record<string, string>;
      connectors?: Array<{ kind: string; name: string; state: string; status: string; detail?: string | undefined }>;
    }>
  >;
  /** Recent traffic series of each worker of this server (see src/cluster/metrics-series.ts). */
  series?(minutes: number): Promise<SeriesDump[]>;
}

function send(res: ServerResponse, status: number, body: unknown, cid: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-wharf-cid': cid,
  });
  res.end(text);
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, MAX_ADMIN_BODY);
  if (raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new WharfError('WHARF_ERR_MALFORMED_BODY', ['JSON', e instanceof Error ? e.message : String(e)]);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WharfError('WHARF_ERR_BAD_REQUEST', ['the admin API takes a JSON object']);
  return v as Record<string, unknown>;
}

export function createAdminHandler(
  deps: AdminDeps,
): (req: IncomingMessage, res: ServerResponse, path: string, qs: string, cid: string) => Promise<boolean> {
  const { rt } = deps;
  const odb = rt.opts.odb;
  const auth = AdminAuth.for(rt);
  const mc = rt.opts.config.metrics;
  const metricsAccess = new MetricsAccess({
    public: mc?.public,
    bearerTokenFile: mc?.bearerTokenFile,
    baseDir: rt.opts.config.dir,
    adminCheck: (h, a) => auth.check(h, a),
  });
  const router = FindMyWay({ ignoreTrailingSlash: true });
  const write = async <T>(fn: (w: OdbWriter) => Promise<T>, who?: string): Promise<{ result: T; version: number }> => {
    const out = await odb.write(fn, { who });
    await deps.publish(out.version);
    await rt.sync();
    return out;
  };
  const on: On = (method, path, h, o = {}) => {
    router.on(method, path, () => undefined, { h, o });
  };
  const ctx: AdminContext = { rt, deps, odb, write };
  // Route modules (each registers its own routes; add new ones here).
  for (const register of routeModules) register(on, ctx);

  on('GET', '/wharf/admin/version', async () => ({ version: await odb.version(), applied: rt.version }));
  on('GET', '/wharf/admin/info', async () => ({
    ...deps.info(),
    configVersion: rt.version,
    odbVersion: await odb.version(),
    modules: rt.moduleHashes(),
    connectors: rt.manager.status(),
    servers: await odb.listServers(),
    // Channels and jobs naming a service that is not deployed (accepted; listed until it is).
    warnings: missingServices(await odb.listObjects(), await deployedServices(odb)).map((m) => warningOf(m)),
  }));
  on('GET', '/wharf/admin/kinds', async () => ({ kinds: describeKinds(allKinds()) }));

  // ---- cluster: the servers the ODB knows (the load balancer's backends) and this server's workers
  on('GET', '/wharf/admin/cluster/servers', async () => {
    const now = Date.now();
    const facts = new Map(
      (await odb.listState(SERVER_FACTS_SCOPE)).map((f) => [
        f.key,
        f.value as { startedAt?: unknown; workers?: unknown },
      ]),
    );
    return {
      items: (await odb.listServers()).map((s) => {
        const alive = s.lastSeen !== '' && now - Date.parse(s.lastSeen) < 15_000;
        const f = facts.get(s.name);
        const startedAt = typeof f?.startedAt === 'string' ? f.startedAt : undefined;
        return {
          ...s,
          alive,
          ...(typeof f?.workers === 'number' ? { workers: f.workers } : {}),
          ...(startedAt ? { startedAt, ...(alive ? { uptimeMs: Math.max(0, now - Date.parse(startedAt)) } : {}) } : {}),
        };
      }),
    };
  });
  on('DELETE', '/wharf/admin/cluster/servers/:name', async ({ params }) => {
    if (params['name'] === rt.opts.config.name)
      throw new WharfError('WHARF_ERR_CONFLICT', [
        `server \`${params['name']}\` is the one answering; stop it first, then remove it through another server`,
      ]);
    if (!(await odb.deleteServer(params['name']!)))
      throw new WharfError('WHARF_ERR_NOT_FOUND', [`no server \`${params['name']}\` in the ODB`]);
    return { deleted: params['name'] };
  });
  on('GET', '/wharf/admin/cluster/workers', async () => ({
    server: rt.opts.config.name,
    odbVersion: await odb.version(),
    items: deps.workers
      ? (await deps.workers()).map((w) => ({
          worker: w.workerId,
          pid: w.pid,
          configVersion: w.configVersion,
          modules: w.modules,
        }))
      : [],
  }));

  // ---- config objects
  on('GET', '/wharf/admin/config/:kind', async ({ params }) => {
    const kind = getKind(params['kind']!);
    return { items: (await odb.listObjects(kind.id)).map((o) => view(kind, o)) };
  });
  on('GET', '/wharf/admin/config/:kind/:name', async ({ params }) => {
    const kind = getKind(params['kind']!);
    const o = await odb.getObject(kind.id, params['name']!);
    if (!o) throw new WharfError('WHARF_ERR_OBJECT_NOT_FOUND', [kind.title, params['name']]);
    return view(kind, o);
  });
  on('POST', '/wharf/admin/config/:kind', async ({ params, body, user }) => {
    const data = await body();
    const { result, version } = await write((w) => createObject(w, params['kind']!, data, rt.box), user);
    return {
      created: result.name,
      version,
      ...warningsField(
        await serviceWarnings(odb, [{ kind: getKind(params['kind']!).id, name: result.name, data: result }]),
      ),
    };
  });
  on('PATCH', '/wharf/admin/config/:kind/:name', async ({ params, body, user }) => {
    const data = await body();
    const { result, version } = await write((w) => editObject(w, params['kind']!, params['name']!, data, rt.box), user);
    return {
      edited: result.name,
      version,
      ...warningsField(
        await serviceWarnings(odb, [{ kind: getKind(params['kind']!).id, name: result.name, data: result }]),
      ),
    };
  });
  on('DELETE', '/wharf/admin/config/:kind/:name', async ({ params, user }) => {
    const { version } = await write((w) => deleteObject(w, params['kind']!, params['name']!), user);
    return { deleted: params['name'], version };
  });
  on('POST', '/wharf/admin/config/:kind/:name/actions/:action', async ({ params, body }) => {
    const kind = getKind(params['kind']!);
    const action = (await loadConnector(kind.id))?.actions?.[params['action']!];
    if (!action) throw new WharfError('WHARF_ERR_NOT_FOUND', [`${kind.title} has no action \`${params['action']}\``]);
    const obj = rt.snapshot.get(kind.id, params['name']!);
    if (!obj) throw new WharfError('WHARF_ERR_OBJECT_NOT_FOUND', [kind.title, params['name']]);
    return { result: await action(obj, rt.actionContext(kind.id, obj.name), await body()) };
  });

  const openApi = contractRoutes.publicOpenApi(rt, (req) => auth.check(req.headers, req.socket.remoteAddress));

  return async (req, res, path, qs, cid) => {
    if (path === '/wharf/ping') {
      send(res, 200, { status: 'ok', server: rt.opts.config.name, version: rt.version, pid: process.pid }, cid);
      return true;
    }
    if (path === '/wharf/openapi.json') {
      const r = await openApi(req, qs);
      res.writeHead(200, {
        'content-type': r.contentType,
        'content-length': Buffer.byteLength(r.body),
        'x-wharf-cid': cid,
      });
      res.end(req.method === 'HEAD' ? undefined : r.body);
      return true;
    }
    if (path === '/wharf/metrics' && deps.metrics && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      await metricsAccess.check(req.headers, req.socket.remoteAddress);
      const text = await deps.metrics();
      res.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'content-length': Buffer.byteLength(text),
        'x-wharf-cid': cid,
      });
      res.end(req.method === 'HEAD' ? undefined : text);
      return true;
    }
    if (!path.startsWith('/wharf/admin/')) return false;
    const method = (req.method ?? 'GET') as FindMyWay.HTTPMethod;
    const hit = router.find(method, path);
    if (!hit) {
      req.resume();
      return false;
    }
    const { h, o } = hit.store as { h: Handler; o: RouteOptions };
    checkAdminDoors(method, req.headers);
    const user = o.open ? '' : await auth.check(req.headers, req.socket.remoteAddress);
    const result = await h({
      req,
      params: hit.params as Params,
      query: qs ? parseQuery(qs) : {},
      body: () => jsonBody(req),
      user,
      cid,
    });
    if (result instanceof RawReply) {
      res.writeHead(o.status ?? 200, {
        'content-type': result.contentType,
        'content-length': Buffer.byteLength(result.body),
        'x-wharf-cid': cid,
      });
      res.end(result.body);
      return true;
    }
    send(res, o.status ?? (req.method === 'POST' && /\/config\/[^/]+$/.test(path) ? 201 : 200), result, cid);
    return true;
  };
}
