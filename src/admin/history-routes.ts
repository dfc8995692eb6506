/** Config history routes: list changes, one object at a version (vs now), restore a version. */
import type { AdminContext, On } from './http.js';
import {
  historyDetail,
  listHistory,
  parseHistoryQuery,
  parseVersion,
  planRestore,
  restoreObject,
} from './history-ops.js';
import { invalid } from './config-ops.js';

export function register(on: On, ctx: AdminContext): void {
  const { odb, rt } = ctx;
  on('GET', '/wharf/admin/history', async ({ query }) => listHistory(odb, parseHistoryQuery(query), rt.box));
  on('GET', '/wharf/admin/history/:version/:kind/:name', async ({ params }) => {
    const problems: string[] = [];
    const version = parseVersion(params['version'], 'version', problems);
    if (version === undefined) throw invalid(problems);
    return historyDetail(odb, version, params['kind']!, params['name']!);
  });
  on('POST', '/wharf/admin/config/:kind/:name/restore', async ({ params, body, user }) => {
    const plan = await planRestore(odb, params['kind']!, params['name']!, await body());
    const { version } = await ctx.write((w) => restoreObject(w, plan, rt.box), user);
    return { restored: plan.name, fromVersion: plan.fromVersion, version };
  });
}
