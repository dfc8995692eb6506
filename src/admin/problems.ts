/**
 * `GET problems`: what in the config names something missing or is broken — channels, routes and
 * jobs whose service is not deployed, reference fields naming objects that do not exist, connectors
 * whose health is down, service modules that failed to load. The dashboard lists them; object
 * pages flag their own.
 */
import { matchesKind, refValues, type ObjectKind } from '../config/kind.js';
import { allKinds } from '../config/registry.js';
import type { StoredObject } from '../odb/odb.js';
import { fieldName, missingServices } from './missing-services.js';

export interface Problem {
  kind: string;
  name: string;
  /** The field naming what is missing, when one does. */
  field?: string;
  problem: string;
}

export interface ProblemInputs {
  objects: readonly StoredObject[];
  /** Services deployed in the ODB. */
  services: ReadonlySet<string>;
  /** Connector health as this server's worker sees it. */
  connectors: ReadonlyArray<{ kind: string; name: string; state: string; health: { status: string; detail?: string } }>;
  /** Modules stored in the ODB that this worker could not load: module → error. */
  moduleErrors: ReadonlyMap<string, string>;
  kinds?: readonly ObjectKind[];
}

export function findProblems(inp: ProblemInputs): Problem[] {
  const kinds = inp.kinds ?? allKinds();
  const byKind = new Map(kinds.map((k) => [k.id, k]));
  const exists = new Set(inp.objects.map((o) => `${o.kind}/${o.name}`));
  const out: Problem[] = [];
  for (const m of missingServices(inp.objects, inp.services, kinds))
    out.push({ kind: m.kind, name: m.name, field: m.field, problem: `service \`${m.service}\` is not deployed` });
  for (const o of inp.objects) {
    const kind = byKind.get(o.kind);
    if (!kind) continue;
    for (const [f, pattern] of Object.entries(kind.refs ?? {})) {
      const targets = kinds.filter((k) => matchesKind(pattern, k.id));
      for (const target of new Set(refValues(o.data, f))) {
        if (!targets.some((k) => exists.has(`${k.id}/${target}`))) {
          out.push({
            kind: o.kind,
            name: o.name,
            field: fieldName(f),
            problem: `no ${targets.map((k) => k.title).join(' or ') || pattern} named \`${target}\``,
          });
        }
      }
    }
  }
  for (const c of inp.connectors) {
    if (c.health.status === 'down')
      out.push({ kind: c.kind, name: c.name, problem: `down${c.health.detail ? `: ${c.health.detail}` : ''}` });
  }
  for (const [module, err] of inp.moduleErrors)
    out.push({ kind: 'service-module', name: module, problem: `failed to load: ${err}` });
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}
