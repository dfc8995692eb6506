/**
 * `GET metrics/series`: recent traffic per channel and service, merged across this server's workers.
 * `GET problems`: objects naming something missing, connectors that are down (see problems.ts).
 */
import { mergeSeries, parseMinutes, WINDOW_MINUTES } from '../cluster/metrics-series.js';
import { WharfError } from '../errors.js';
import type { AdminContext, On } from './http.js';
import { findProblems } from './problems.js';

export function register(on: On, ctx: AdminContext): void {
  on('GET', '/wharf/admin/metrics/series', async ({ query }) => {
    const minutes = parseMinutes(query['minutes']);
    if (minutes === undefined)
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [`minutes: a whole number from 1 to ${WINDOW_MINUTES}`]);
    const dumps = ctx.deps.series ? await ctx.deps.series(minutes) : [];
    return mergeSeries(dumps, minutes);
  });

  on('GET', '/wharf/admin/problems', async () => {
    const [objects, modules] = await Promise.all([ctx.odb.listObjects(), ctx.odb.listModules()]);
    // Connector health from every worker of this server (a singleton runs in one of them): down anywhere → a problem.
    const workers = ctx.deps.workers ? await ctx.deps.workers().catch(() => []) : [];
    const reported = workers.flatMap((w) =>
      (w.connectors ?? []).map((c) => ({
        kind: c.kind,
        name: c.name,
        state: c.state,
        health: { status: c.status, ...(c.detail ? { detail: c.detail } : {}) },
      })),
    );
    const connectors = reported.length > 0 ? reported : ctx.rt.manager.status();
    const seen = new Set<string>();
    const items = findProblems({
      objects,
      services: new Set(modules.flatMap((m) => m.services)),
      connectors: connectors.filter((c) => {
        if (c.health.status !== 'down') return false;
        const k = `${c.kind}/${c.name}`;
        return !seen.has(k) && !!seen.add(k);
      }),
      moduleErrors: new Map([...ctx.rt.moduleErrors].filter(([m]) => modules.some((x) => x.name === m))),
    });
    return { items };
  });
}
