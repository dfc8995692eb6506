/**
 * Config that names a service which is not deployed. Deploy order is free, so such a channel or job
 * is accepted; the admin API answers with a warning naming the service (create, edit, enmasse
 * import), and `GET info` / `GET problems` list it until the service exists.
 */
import { refValues, type ObjectKind } from '../config/kind.js';
import { allKinds } from '../config/registry.js';
import type { StoredModule } from '../odb/odb.js';
import { serviceFields } from './service-details.js';

export interface MissingService {
  kind: string;
  name: string;
  /** The field naming the service (`service`, or `routes.*.service` for a list's items). */
  field: string;
  service: string;
}

/** What the admin answers carry and `GET info` lists: the object, the service, and a line to print. */
export interface ServiceWarning extends MissingService {
  message: string;
  /** The line of the object in an enmasse file, when it came from one. */
  line?: number;
}

/** `routes[].service` → `routes.*.service`, as problems and warnings name a list's field. */
export const fieldName = (f: string): string => f.replace('[].', '.*.');

/** Every service deployed in the ODB (each module lists the services it holds). */
export async function deployedServices(odb: { listModules(): Promise<StoredModule[]> }): Promise<Set<string>> {
  return new Set((await odb.listModules()).flatMap((m) => m.services));
}

/** The services `objects` name that are not in `deployed`, one entry per object, field and service. */
export function missingServices(
  objects: Iterable<{ kind: string; name: string; data: Readonly<Record<string, unknown>> }>,
  deployed: ReadonlySet<string>,
  kinds: readonly ObjectKind[] = allKinds(),
): MissingService[] {
  const fieldsByKind = new Map(kinds.map((k) => [k.id, serviceFields(k)]));
  const out: MissingService[] = [];
  for (const o of objects) {
    for (const f of fieldsByKind.get(o.kind) ?? []) {
      for (const service of new Set(refValues(o.data, f))) {
        if (!deployed.has(service)) out.push({ kind: o.kind, name: o.name, field: fieldName(f), service });
      }
    }
  }
  return out;
}

/** e.g. "HTTP channel `orders`: service `crm.get` is not deployed (accepted; reported until it is)". */
export function warningOf(m: MissingService, kinds: readonly ObjectKind[] = allKinds(), line?: number): ServiceWarning {
  const title = kinds.find((k) => k.id === m.kind)?.title ?? m.kind;
  const where = m.field === 'service' ? '' : ` (${m.field})`;
  const message = `${title} \`${m.name}\`${where}: service \`${m.service}\` is not deployed (accepted; reported until it is)`;
  return { ...m, message, ...(line === undefined ? {} : { line }) };
}

/** Warnings for objects just written, checked against the services the ODB holds in the same transaction. */
export async function serviceWarnings(
  odb: { listModules(): Promise<StoredModule[]> },
  objects: ReadonlyArray<{ kind: string; name: string; data: Readonly<Record<string, unknown>>; line?: number }>,
): Promise<ServiceWarning[]> {
  if (objects.length === 0) return [];
  const deployed = await deployedServices(odb);
  const kinds = allKinds();
  const out: ServiceWarning[] = [];
  for (const o of objects) for (const m of missingServices([o], deployed, kinds)) out.push(warningOf(m, kinds, o.line));
  return out;
}

/** `{ warnings }` for an admin answer, or nothing when there is none. */
export function warningsField(ws: readonly ServiceWarning[]): { warnings?: ServiceWarning[] } {
  return ws.length > 0 ? { warnings: [...ws] } : {};
}
