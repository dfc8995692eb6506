/** `GET metrics/series`: recent traffic per channel and service, merged across this server's workers. */
import { mergeSeries, parseMinutes, WINDOW_MINUTES } from '../cluster/metrics-series.js';
import { WharfError } from '../errors.js';
import type { AdminContext, On } from './http.js';

export function register(on: On, ctx: AdminContext): void {
  on('GET', '/wharf/admin/metrics/series', async ({ query }) => {
    const minutes = parseMinutes(query['minutes']);
    if (minutes === undefined) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`minutes: a whole number from 1 to ${WINDOW_MINUTES}`]);
    const dumps = ctx.deps.series ? await ctx.deps.series(minutes) : [];
    return mergeSeries(dumps, minutes);
  });
}
