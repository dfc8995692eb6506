/**
 * The per-worker channel router. Fastify (and find-my-way used through it) cannot change routes
 * once listening, so channels are routed by a find-my-way instance we mutate ourselves: adding or
 * removing a channel is one synchronous call, atomic for the event loop. A second, method-less
 * router answers "this path exists under other methods" for 405s.
 */
import FindMyWay from 'find-my-way';
import { isReservedRequestPath } from './reserved.js';

export const ROUTABLE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export type RouteMatch<T> =
  { kind: 'found'; route: T; params: Record<string, string> } | { kind: 'method'; allow: string[] } | { kind: 'none' };

interface Registered<T> {
  methods: string[];
  path: string;
  route: T;
}

/** `/customer/{id}` → `/customer/:id` */
export function toRouterPath(urlPath: string): string {
  return urlPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

export interface RouterOptions<T> {
  /**
   * The route that answers OPTIONS on a path where no channel serves OPTIONS itself, given the routes
   * of every channel at that path and the path's `Allow` (its methods and OPTIONS). Default: the first.
   */
  optionsRoute?: (routes: readonly T[], allow: string) => T;
}

export class ChannelRouter<T> {
  constructor(private readonly opts: RouterOptions<T> = {}) {}

  private byMethod = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 });
  private byPath = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 1000 });
  /** 405 index: normalised path → methods served, and the path as registered in `byPath`. */
  private pathMethods = new Map<string, { methods: Set<string>; registered: string; routes: Map<string, T> }>();
  private entries = new Map<string, Registered<T>>();

  /** Adds or replaces the route of channel `name`. Throws if the path clashes with another channel. */
  set(name: string, method: string, urlPath: string, route: T): void {
    const path = toRouterPath(urlPath);
    const methods = method === 'ANY' ? [...ROUTABLE_METHODS] : [method];
    const old = this.entries.get(name);
    if (old) this.remove(name);
    // One method at a time, so a clash on any of them undoes the ones already added.
    const added: string[] = [];
    try {
      for (const m of methods) {
        this.byMethod.on(m as FindMyWay.HTTPMethod, path, () => undefined, { route });
        added.push(m);
      }
    } catch (e) {
      for (const m of added) this.byMethod.off(m as FindMyWay.HTTPMethod, path);
      if (old) this.set(name, old.methods.length > 1 ? 'ANY' : old.methods[0]!, fromRouterPath(old.path), old.route);
      throw e;
    }
    const key = normalise(path);
    let idx = this.pathMethods.get(key);
    if (!idx) {
      idx = { methods: new Set(), registered: path, routes: new Map() };
      this.pathMethods.set(key, idx);
      this.byPath.on('GET', path, () => undefined, { key });
    }
    for (const m of methods) idx.methods.add(m);
    idx.routes.set(name, route);
    this.entries.set(name, { methods, path, route });
  }

  remove(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    this.byMethod.off(e.methods as FindMyWay.HTTPMethod[], e.path);
    const key = normalise(e.path);
    const idx = this.pathMethods.get(key);
    if (idx) {
      for (const m of e.methods) idx.methods.delete(m);
      idx.routes.delete(name);
      if (idx.methods.size === 0) {
        this.pathMethods.delete(key);
        this.byPath.off('GET', idx.registered);
      }
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** A spelling of the reserved `/wharf` prefix (`/WHARF/x`, `//wharf/x`, `/%77harf/x`, `/a/../wharf/x`) matches no channel. */
  find(method: string, path: string): RouteMatch<T> {
    if (isReservedRequestPath(path)) return { kind: 'none' };
    const hit = this.byMethod.find(method as FindMyWay.HTTPMethod, path);
    if (hit)
      return { kind: 'found', route: (hit.store as { route: T }).route, params: hit.params as Record<string, string> };
    const any = this.byPath.find('GET', path);
    if (any) {
      const idx = this.pathMethods.get((any.store as { key: string }).key);
      // OPTIONS on a path no channel serves OPTIONS on goes to a channel of the path, which answers it itself (Allow, CORS).
      if (idx && method === 'OPTIONS' && idx.routes.size > 0) {
        const routes = [...idx.routes.values()];
        const allow = allowOf(idx.methods).join(', ');
        return {
          kind: 'found',
          route: this.opts.optionsRoute ? this.opts.optionsRoute(routes, allow) : routes[0]!,
          params: any.params as Record<string, string>,
        };
      }
      if (idx && idx.methods.size > 0) return { kind: 'method', allow: [...idx.methods] };
    }
    return { kind: 'none' };
  }

  clear(): void {
    for (const name of [...this.entries.keys()]) this.remove(name);
  }
}

function fromRouterPath(p: string): string {
  return p.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** Param names, duplicate slashes and a trailing slash don't make a different path (find-my-way ignores them). */
function normalise(routerPath: string): string {
  const p = routerPath.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':').replace(/\/{2,}/g, '/');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** OPTIONS on a path of several channels: the one with `cors` answers (else the first), with the path's Allow. */
/** A path's Allow: the methods its channels serve, in a stable order, and OPTIONS (Wharf answers it on every channel path). */
function allowOf(methods: ReadonlySet<string>): string[] {
  return [...ROUTABLE_METHODS.filter((m) => methods.has(m) && m !== 'OPTIONS'), 'OPTIONS'];
}

function optionsRoute(routes: readonly unknown[], allow: string): unknown {
  const chosen = routes.find((r) => (r as { cors?: unknown }).cors !== undefined) ?? routes[0];
  return { ...(chosen as object), allow };
}

/** The router of this worker process; the HTTP server and the HTTP channel kind share it. */
export const httpRouter = new ChannelRouter<unknown>({ optionsRoute });
