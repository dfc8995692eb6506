/** Shapes of the admin API answers the ops pages read (see the contract). */

import type { FieldDesc } from '../../../admin/api-types.js';

export type { FieldDesc };

export interface ServerRecord {
  name: string;
  host?: string;
  port?: number;
  pid?: number;
  configVersion?: number;
  moduleHashes?: Record<string, string>;
  lastSeen?: string;
  alive?: boolean;
  /** Not (yet) in every answer: shown when present. */
  workers?: number;
  uptimeMs?: number;
  startedAt?: string;
}

export interface WorkerRecord {
  worker: number;
  pid?: number;
  configVersion?: number;
  modules?: Record<string, string>;
}

export interface WorkersAnswer {
  server?: string;
  odbVersion?: number;
  items: WorkerRecord[];
}

export interface ServiceEntry {
  service: string;
  module: string;
  hash: string;
  status: string;
  deployedAt?: string;
  deployedFrom?: string;
}

export interface Problem {
  kind: string;
  name: string;
  /** The field naming the missing thing, when one does. */
  field?: string;
  problem: string;
}

export interface LoadBalancerView {
  configured: boolean;
  frontend?: unknown;
  backends: Array<{ server: string; address?: string; state?: string }>;
  config?: string;
}

export interface ServiceDetails extends ServiceEntry {
  input?: FieldDesc[];
  output?: FieldDesc[];
  example?: unknown;
  usedBy?: Array<{ kind: string; name: string }>;
  perServer?: Array<{ server: string; hash: string | null; status: string; alive?: boolean }>;
}

export interface InvokeAnswer {
  cid?: string;
  status?: number;
  durationMs?: number;
  output?: unknown;
  error?: { code?: string; message?: string };
}

/** The servers as drift members. */
export function serverMembers(servers: ServerRecord[]) {
  return servers.map((s) => ({
    id: s.name,
    configVersion: s.configVersion,
    modules: s.moduleHashes ?? {},
    alive: s.alive,
    lastSeen: s.lastSeen,
  }));
}

/** A server's workers as drift members (`worker N`). */
export function workerMembers(workers: WorkerRecord[]) {
  return workers.map((w) => ({ id: `worker ${w.worker}`, configVersion: w.configVersion, modules: w.modules ?? {} }));
}

/** module → hash of the ODB's deployed modules, from the services list. */
export function odbModules(services: ServiceEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of services) out[s.module] = s.hash;
  return out;
}
