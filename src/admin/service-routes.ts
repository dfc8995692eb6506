/**
 * Services in the admin API: list, details (SimpleIO fields, an example input, who uses it, which
 * servers run it), a module's source, deploy, delete and invoke (timed, with the service's error
 * as data: the admin call itself worked).
 */
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WharfError } from '../errors.js';
import { clearPickupRefusal, listPickupRefusals } from '../server/pickup-errors.js';
import { INVOKE_CHANNEL } from '../service/pipeline.js';
import type { AdminContext, On } from './http.js';
import { describeDeclaration, exampleOf, usedBy } from './service-details.js';
import { parseBulkUpload } from './deploy-checks.js';
import { deleteService, deployModule, deployModules, listServices } from './service-ops.js';

const ALIVE_MS = 15_000;
const NO_BODY = Buffer.alloc(0);
/** An admin invoke waits this long for the service unless the body says `timeoutMs`. */
const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;

export function register(on: On, ctx: AdminContext): void {
  const { rt, odb, deps } = ctx;

  // `refused`: modules the pickup directory refused (file:line:col), until a later version deploys.
  on('GET', '/wharf/admin/services', async () => ({
    items: await listServices(rt, odb),
    refused: listPickupRefusals(rt.opts.config.pickupDir),
  }));

  on('GET', '/wharf/admin/services/modules/:module', async ({ params }) => {
    const m = await odb.getModule(params['module']!);
    if (!m) throw new WharfError('WHARF_ERR_NOT_FOUND', [`no service module \`${params['module']}\``]);
    return {
      module: m.name,
      hash: m.hash,
      source: m.source,
      services: m.services,
      deployedAt: m.deployedAt,
      deployedFrom: m.deployedFrom,
    };
  });

  on('GET', '/wharf/admin/services/:name', async ({ params }) => {
    const name = params['name']!;
    const entry = (await listServices(rt, odb)).find((s) => s.service === name);
    if (!entry) throw new WharfError('WHARF_ERR_SERVICE_UNKNOWN', [name]);
    const running = rt.registry.get(name);
    const decl = running?.cls.declaration;
    const now = Date.now();
    const servers = await odb.listServers();
    const workers = deps.workers ? await deps.workers().catch(() => []) : [];
    const deployedIn = (await odb.getModule(entry.module))?.version ?? 0;
    const perServer = servers.map((s) => {
      let hash = s.moduleHashes[entry.module] ?? null;
      const alive = s.lastSeen !== '' && now - Date.parse(s.lastSeen) < ALIVE_MS;
      // A server reports what it runs every few seconds: one that has not reported the module's version yet is pending.
      let status = !alive
        ? 'down'
        : hash === entry.hash
          ? 'deployed'
          : s.configVersion < deployedIn
            ? 'pending'
            : hash
              ? 'outdated'
              : 'missing';
      if (s.name === rt.opts.config.name && workers.length > 0) {
        const current = workers.filter((w) => w.modules[entry.module] === entry.hash).length;
        status = current === workers.length ? 'deployed' : `${current}/${workers.length} workers deployed`;
        if (current > 0) hash = entry.hash;
      }
      return { server: s.name, hash, status, alive };
    });
    return {
      service: name,
      module: entry.module,
      hash: entry.hash,
      status: entry.status,
      deployedAt: entry.deployedAt,
      deployedFrom: entry.deployedFrom,
      input: describeDeclaration(decl?.input),
      output: describeDeclaration(decl?.output),
      example: exampleOf(decl?.input),
      usedBy: usedBy(await odb.listObjects(), name),
      perServer,
    };
  });

  // One module `{ name, source, from? }`, or many at once `{ modules: [{ name, source, from? }], from? }` (all or nothing).
  on('POST', '/wharf/admin/services', async ({ body, user }) => {
    const b = await body();
    const from = typeof b['from'] === 'string' ? b['from'] : `admin:${user}`;
    if (b['modules'] !== undefined) {
      const r = await deployModules(rt, deps.publish, parseBulkUpload(b), from, user);
      for (const m of r.modules) if (!m.unchanged) clearPickupRefusal(rt.opts.config.pickupDir, m.module);
      return r;
    }
    if (typeof b['name'] !== 'string' || typeof b['source'] !== 'string')
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        'deploy takes { name: "file.ts", source: "..." } or { modules: [{ name, source }, ...] }',
      ]);
    try {
      const r = await deployModule(rt, deps.publish, b['name'], b['source'], from, user);
      clearPickupRefusal(rt.opts.config.pickupDir, r.module); // a later version is deployed
      return r;
    } catch (e) {
      throw withLocation(e, b['name']);
    }
  });

  on('DELETE', '/wharf/admin/services/:name', async ({ params, query, user }) =>
    deleteService(rt, deps.publish, params['name']!, query['module'] === '1' || query['module'] === 'true', user),
  );

  on('POST', '/wharf/admin/services/:name/invoke', async ({ params, body, cid }) => {
    const name = params['name']!;
    const b = await body();
    if (!rt.registry.has(name)) {
      // Known to the ODB but not (yet) loaded here: say so; unknown: 404.
      if ((await listServices(rt, odb)).some((s) => s.service === name))
        throw new WharfError('WHARF_ERR_SERVICE_NOT_DEPLOYED', [name]);
      throw new WharfError('WHARF_ERR_SERVICE_UNKNOWN', [name]);
    }
    const timeoutMs = b['timeoutMs'] ?? DEFAULT_INVOKE_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 3_600_000) {
      throw new WharfError('WHARF_ERR_CONFIG_INVALID', ['timeoutMs: a whole number of ms from 1 to 3600000'], {
        details: { problems: ['timeoutMs: a whole number of ms from 1 to 3600000'] },
      });
    }
    const started = performance.now();
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new WharfError('WHARF_ERR_TIMEOUT', [name, timeoutMs]);
        abort.abort(err);
        reject(err);
      }, timeoutMs);
    });
    try {
      const input = b['input'] ?? {};
      // As a service-to-service call (channel `invoke`), but with the status and the output as a channel renders them.
      const run = rt.pipeline.run({
        service: name,
        cid,
        channel: INVOKE_CHANNEL,
        method: 'POST',
        raw: NO_BODY,
        payload: input,
        body: input,
        headers: {},
        params: { path: {}, query: {} },
        signal: abort.signal,
      });
      const r = await Promise.race([run, expired]);
      return {
        cid,
        status: r.statusCode,
        durationMs: elapsed(started),
        output: Buffer.isBuffer(r.output) ? r.output.toString('utf8') : (r.output ?? null),
      };
    } catch (e) {
      const durationMs = elapsed(started);
      const err = e instanceof WharfError ? e : undefined;
      const error: Record<string, unknown> = err
        ? { code: err.code, message: err.message }
        : { code: 'WHARF_ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) };
      if (err?.details) error['details'] = err.details;
      if (err?.cause instanceof Error) error['cause'] = err.cause.message;
      return { cid, status: err?.status ?? 500, durationMs, error };
    } finally {
      clearTimeout(timer);
    }
  });
}

/** A refused deploy always names the file and the reason in `details` (esbuild and load errors also carry line, column and lineText). */
function withLocation(e: unknown, fileName: string): unknown {
  if (!(e instanceof WharfError) || e.code !== 'WHARF_ERR_DEPLOY_FAILED' || typeof e.details?.['file'] === 'string')
    return e;
  const file = basename(fileName);
  const message = e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message;
  return new WharfError('WHARF_ERR_DEPLOY_FAILED', [e.message], {
    status: e.status,
    cause: e,
    details: { ...e.details, file, message },
  });
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 1000) / 1000;
