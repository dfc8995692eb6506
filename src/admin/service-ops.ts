/** Admin operations on services: deploy a module (validated before it is stored), list, delete, invoke. */
import { WharfError } from '../errors.js';
import type { Odb } from '../odb/odb.js';
import { sourceHash } from '../service/deploy/compile.js';
import { prepareModule, type PreparedModule } from '../service/deploy/deployer.js';
import { bulkRefusal, checkClashes, checkUpload, type ModuleUpload } from './deploy-checks.js';
import type { AdminRuntime } from './runtime.js';

export interface DeployResult {
  module: string;
  hash: string;
  services: string[];
  version: number;
  unchanged: boolean;
}

export interface ServiceListEntry {
  service: string;
  module: string;
  hash: string;
  deployedAt: string;
  deployedFrom: string;
  /** `deployed` when this worker runs that hash; otherwise what went wrong or `pending`. */
  status: string;
}

export async function deployModule(
  rt: AdminRuntime,
  publish: (v: number) => Promise<void>,
  fileName: string,
  source: string,
  from: string,
  who?: string,
): Promise<DeployResult> {
  const name = checkUpload(fileName, source);
  const prepared = await prepare(rt, name, source);
  const services = prepared.entries.map((e) => e.name);
  const { result, version } = await rt.opts.odb.write(
    async (w) => {
      const index = await w.listModuleIndex(); // names and services only: no module's source is read
      if (index.find((m) => m.name === name)?.hash === prepared.hash) return { unchanged: true };
      checkClashes([{ name, services }], index);
      await w.putModule({ name, source, hash: prepared.hash, services, deployedFrom: from });
      return { unchanged: false };
    },
    { who },
  );
  if (!result.unchanged) {
    await publish(version);
    await rt.sync();
  }
  return { module: name, hash: prepared.hash, services, version, unchanged: result.unchanged };
}

export interface BulkDeployResult {
  /** The config version of the deploy; null when every module was unchanged (nothing written). */
  version: number | null;
  deployed: number;
  unchanged: number;
  /** Every module of the request, in its order (`unchanged` ones with their stored version). */
  modules: DeployResult[];
}

/** How many modules a bulk deploy compiles and loads at once (esbuild runs builds in its own process). */
const PREPARE_CONCURRENCY = 8;

const prepare = (rt: AdminRuntime, name: string, source: string): Promise<PreparedModule> =>
  prepareModule(name, source, {
    api: rt.opts.api,
    resolveFrom: rt.opts.resolveFrom,
    resolveDir: rt.opts.config.pickupDir,
  });

/**
 * Deploys many modules at once, all or nothing: modules whose source is already stored are skipped;
 * the others are compiled and loaded (PREPARE_CONCURRENCY at a time) and checked for service-name
 * clashes among themselves and with the stored modules, then stored in one transaction (one config
 * version, a history entry per module with `who`), published once and synced once. Any refusal
 * refuses the whole request (`bulkRefusal`: the first refusal, every refusal in `details.errors`).
 */
export async function deployModules(
  rt: AdminRuntime,
  publish: (v: number) => Promise<void>,
  uploads: readonly ModuleUpload[],
  from: string,
  who?: string,
): Promise<BulkDeployResult> {
  const odb = rt.opts.odb;
  const hashes = uploads.map((u) => sourceHash(u.source));
  const before = new Map((await odb.listModuleIndex()).map((m) => [m.name, m]));
  const todo = uploads.filter((u, i) => before.get(u.name)?.hash !== hashes[i]);
  const prepared = new Map<string, PreparedModule>();
  const failures: Array<{ file: string; error: unknown; at: number }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PREPARE_CONCURRENCY, todo.length) }, async () => {
      while (next < todo.length) {
        const at = next++;
        const u = todo[at]!;
        try {
          prepared.set(u.name, await prepare(rt, u.name, u.source));
        } catch (error) {
          failures.push({ file: u.name, error, at });
        }
      }
    }),
  );
  if (failures.length > 0) throw bulkRefusal(failures.sort((a, b) => a.at - b.at));

  const stored = new Map<string, number>(); // module → the version it is stored under
  let version: number | null = null;
  if (todo.length > 0) {
    const written = await odb.write(
      async (w) => {
        const index = await w.listModuleIndex();
        const now = new Map(index.map((m) => [m.name, m]));
        uploads.forEach((u, i) => {
          if (!prepared.has(u.name) && now.get(u.name)?.hash !== hashes[i])
            throw new WharfError('WHARF_ERR_CONFLICT', [`${u.name} was changed during this deploy: deploy again`]);
        });
        // In the request's order (modules compile in parallel and finish in any order): the refusal names the later file.
        const inOrder = uploads.flatMap((u) => prepared.get(u.name) ?? []);
        const changed = new Set(inOrder.filter((p) => now.get(p.name)?.hash !== p.hash));
        checkClashes(
          [...changed].map((p) => ({ name: p.name, services: p.entries.map((e) => e.name) })),
          index,
        );
        const put = uploads.flatMap((u) => {
          const p = prepared.get(u.name);
          if (!p || !changed.has(p)) return [];
          stored.set(u.name, w.version);
          const services = p.entries.map((e) => e.name);
          return [{ name: u.name, source: u.source, hash: p.hash, services, deployedFrom: u.from ?? from }];
        });
        await w.putModules(put);
        return now;
      },
      { who },
    );
    version = written.version;
    for (const [name, m] of written.result) if (!stored.has(name)) before.set(name, m);
    if (stored.size > 0) {
      await publish(written.version);
      await rt.sync();
    }
  }
  const modules = uploads.map((u, i): DeployResult => {
    const v = stored.get(u.name);
    const p = prepared.get(u.name);
    const b = before.get(u.name);
    return v !== undefined && p
      ? { module: u.name, hash: p.hash, services: p.entries.map((e) => e.name), version: v, unchanged: false }
      : { module: u.name, hash: hashes[i]!, services: b?.services ?? [], version: b?.version ?? 0, unchanged: true };
  });
  const deployed = stored.size;
  return { version: deployed > 0 ? version : null, deployed, unchanged: uploads.length - deployed, modules };
}

export async function listServices(rt: AdminRuntime, odb: Odb): Promise<ServiceListEntry[]> {
  const out: ServiceListEntry[] = [];
  for (const m of await odb.listModules()) {
    const running = rt.registry.getModule(m.name);
    const err = rt.moduleErrors.get(m.name);
    const status = running?.hash === m.hash ? 'deployed' : err ? `failed: ${err}` : 'pending';
    for (const s of m.services)
      out.push({
        service: s,
        module: m.name,
        hash: m.hash,
        deployedAt: m.deployedAt,
        deployedFrom: m.deployedFrom,
        status,
      });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service));
}

/** Deletes the module that defines `service`; refuses when that module defines others too. */
export async function deleteService(
  rt: AdminRuntime,
  publish: (v: number) => Promise<void>,
  service: string,
  wholeModule: boolean,
  who?: string,
): Promise<{ module: string; services: string[] }> {
  const { result, version } = await rt.opts.odb.write(
    async (w) => {
      const mods = await w.listModuleIndex();
      const m =
        mods.find((x) => x.services.includes(service)) ??
        (wholeModule ? mods.find((x) => x.name === service) : undefined);
      if (!m) throw new WharfError('WHARF_ERR_SERVICE_UNKNOWN', [service]);
      const others = m.services.filter((s) => s !== service);
      if (others.length > 0 && !wholeModule) {
        throw new WharfError('WHARF_ERR_CONFLICT', [
          `\`${service}\` is defined in ${m.name} together with ${others.join(', ')}; delete the whole module (--module) or redeploy it without this service`,
        ]);
      }
      await w.deleteModule(m.name);
      return { module: m.name, services: m.services };
    },
    { who },
  );
  await publish(version);
  await rt.sync();
  return result;
}
