/** Admin operations on services: deploy a module (validated before it is stored), list, delete, invoke. */
import { basename } from 'node:path';
import { WharfError } from '../errors.js';
import type { Odb } from '../odb/odb.js';
import { isServiceFile } from '../service/deploy/compile.js';
import { prepareModule } from '../service/deploy/deployer.js';
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
  const name = basename(fileName);
  if (!name || !isServiceFile(name))
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`\`${fileName}\`: only .ts and .js files can be deployed`]);
  if (typeof source !== 'string' || source.trim() === '')
    throw new WharfError('WHARF_ERR_DEPLOY_FAILED', [`${name}: the file is empty`]);
  const prepared = await prepareModule(name, source, {
    api: rt.opts.api,
    resolveFrom: rt.opts.resolveFrom,
    resolveDir: rt.opts.config.pickupDir,
  });
  const services = prepared.entries.map((e) => e.name);
  const { result, version } = await rt.opts.odb.write(
    async (w) => {
      const existing = await w.getModule(name);
      if (existing?.hash === prepared.hash) return { unchanged: true };
      for (const m of await w.listModules()) {
        if (m.name === name) continue;
        const clash = m.services.find((s) => services.includes(s));
        if (clash)
          throw new WharfError(
            'WHARF_ERR_DEPLOY_FAILED',
            [`${name}: service \`${clash}\` is already deployed from ${m.name}`],
            { status: 409, details: { service: clash, module: m.name } },
          );
      }
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
      const mods = await w.listModules();
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
