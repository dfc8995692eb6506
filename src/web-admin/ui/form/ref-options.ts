/** Loads the choices of a form's reference fields: objects of the referenced kinds, or deployed services. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { seg } from '../router';
import type { KindInfo } from '../meta';
import { refMatchesKind, refOf, type FormField } from './model';

export interface RefOption {
  value: string;
  /** The object's kind id (absent for services). */
  kind?: string;
  /** The kind title, for optgroups when a pattern covers several kinds. */
  group?: string;
}

/** ref → options (undefined while loading; null when the list could not be loaded). */
export type RefOptions = Record<string, RefOption[] | null | undefined>;

export function useRefOptions(fields: readonly FormField[], allKinds: readonly KindInfo[]): RefOptions {
  const refs = [...new Set(fields.map(refOf).filter((r): r is string => !!r))];
  const key = refs.join(',');
  const [opts, setOpts] = useState<RefOptions>({});
  useEffect(() => {
    let alive = true;
    for (const ref of refs) {
      load(ref, allKinds).then(
        (list) => alive && setOpts((o) => ({ ...o, [ref]: list })),
        () => alive && setOpts((o) => ({ ...o, [ref]: null })),
      );
    }
    return () => {
      alive = false;
    };
  }, [key, allKinds]);
  return opts;
}

async function load(ref: string, allKinds: readonly KindInfo[]): Promise<RefOption[]> {
  if (ref === 'service') {
    const r = await api<{ items: { service: string }[] }>('GET', 'services');
    return [...new Set(r.items.map((s) => s.service))].sort().map((value) => ({ value }));
  }
  const ks = allKinds.filter((k) => refMatchesKind(ref, k.id));
  const lists = await Promise.all(
    ks.map(async (k) => {
      const r = await api<{ items: { name: string }[] }>('GET', `config/${seg(k.id)}`);
      return r.items.map((o) => ({ value: o.name, kind: k.id, ...(ks.length > 1 ? { group: k.title } : {}) }));
    }),
  );
  return lists.flat().sort((a, b) => a.value.localeCompare(b.value));
}
