/** What the UI learns once per session from the admin API: the kinds (GET kinds) and the server (GET info). */
import { api } from './api';
import { createStore } from './store';

import type { FieldInfo, KindInfo } from '../../admin/api-types.js';

export type { FieldInfo, KindInfo };

export interface ConnectorStatus {
  kind: string;
  name: string;
  state?: string;
  health?: { status: string; detail?: string };
}

export interface ServerInfo {
  server?: string;
  cluster?: string;
  host?: string;
  port?: number;
  configVersion?: number;
  connectors?: ConnectorStatus[];
  [k: string]: unknown;
}

export const kinds = createStore<KindInfo[] | undefined>(undefined);
export const serverInfo = createStore<ServerInfo | undefined>(undefined);

let kindsLoading: Promise<KindInfo[]> | undefined;

/** GET kinds once (again after `force`). */
export function loadKinds(force = false, quiet401 = false): Promise<KindInfo[]> {
  if (!force && kinds.get()) return Promise.resolve(kinds.get()!);
  if (!force && kindsLoading) return kindsLoading;
  kindsLoading = api<{ kinds: KindInfo[] }>('GET', 'kinds', undefined, { quiet401 }).then(
    (r) => {
      kinds.set(r.kinds);
      kindsLoading = undefined;
      return r.kinds;
    },
    (e: unknown) => {
      kindsLoading = undefined;
      throw e;
    },
  );
  return kindsLoading;
}

/** GET info (server name, connectors' health); stored for the header and health badges. */
export async function loadInfo(): Promise<ServerInfo> {
  const r = await api<ServerInfo>('GET', 'info');
  serverInfo.set(r);
  return r;
}

export function kindById(id: string): KindInfo | undefined {
  return kinds.get()?.find((k) => k.id === id);
}

export type NavGroup = 'Channels' | 'Outgoing' | 'Security' | 'Other';

/** The nav group of a kind id: channels/scheduler/notifications → Channels; outgoing/cloud → Outgoing. */
export function kindGroup(id: string): NavGroup {
  const prefix = id.split('.')[0];
  if (prefix === 'channels' || prefix === 'scheduler' || prefix === 'notifications') return 'Channels';
  if (prefix === 'outgoing' || prefix === 'cloud') return 'Outgoing';
  if (prefix === 'security') return 'Security';
  return 'Other';
}

/** The health of one object from info's connectors (undefined when it has no connector). */
export function healthOf(info: ServerInfo | undefined, kind: string, name: string): ConnectorStatus | undefined {
  return info?.connectors?.find((c) => c.kind === kind && c.name === name);
}
