/**
 * Runs one connector instance per active object of every connector kind in this worker, honouring
 * placement (every worker / one per server / one per cluster under a lease). Applies config edits
 * live: create, reconfigure, stop; an edit of a referenced object (a definition, a security
 * definition) reconfigures its dependents. Outgoing instances are reached by services through
 * `handle(kind, name)`, resolved on every call. A kind's connector code (and its driver) is imported
 * when the first active object of that kind starts here, not before.
 */
import { WharfError } from '../errors.js';
import { matchesKind, refValues, type ConfigObject } from '../config/kind.js';
import type { ServiceLogger } from '../service/service.js';
import { allDeclarations, declarationFor, loadConnector } from './registry.js';
import type {
  Connector,
  ConnectorContext,
  ConnectorDeclaration,
  ConnectorHealth,
  ConnectorKind,
  Lease,
} from './types.js';

interface Instance {
  decl: ConnectorDeclaration;
  /** The connector's code, once imported. */
  kind?: ConnectorKind;
  config: ConfigObject;
  connector?: Connector;
  lease?: Lease;
  leaseAbort?: AbortController;
  state: 'running' | 'waiting-lease' | 'failed';
  error?: string;
}

export interface ManagerDeps {
  workerId: number;
  /**
   * A spare worker's manager: `apply` only records the config (and imports the kind's connector code
   * ahead), nothing starts until `release(workerId)`.
   */
  held?: boolean;
  logger: ServiceLogger;
  context(kindId: string, name: string): ConnectorContext;
}

export interface InstanceStatus {
  kind: string;
  name: string;
  placement: string;
  state: string;
  health: ConnectorHealth;
}

const key = (kindId: string, name: string): string => `${kindId}/${name}`;

export class ConnectorManager {
  private instances = new Map<string, Instance>();
  private known = new Map<string, ConfigObject>();
  private chains = new Map<string, Promise<void>>();
  private stopping = false;
  private held: boolean;

  constructor(private readonly deps: ManagerDeps) {
    this.held = deps.held === true;
  }

  /** Applies the current config of one object (undefined = deleted). Serialised per object. */
  apply(kindId: string, name: string, config: ConfigObject | undefined): Promise<void> {
    const k = key(kindId, name);
    if (config) this.known.set(k, config);
    else this.known.delete(k);
    if (this.held) {
      // Warm the connector's code (and driver) so that the start after release is quick.
      if (config?.active && declarationFor(kindId)) void loadConnector(kindId).catch(() => undefined);
      return Promise.resolve();
    }
    const prev = this.chains.get(k) ?? Promise.resolve();
    const next = prev
      .then(() => this.applyNow(kindId, name, config))
      .catch((e: unknown) => this.deps.logger.error(`connector ${k}: ${e instanceof Error ? e.message : String(e)}`))
      .then(() => this.reconfigureDependents(kindId, name));
    this.chains.set(k, next);
    void next.finally(() => {
      if (this.chains.get(k) === next) this.chains.delete(k);
    });
    return next;
  }

  /**
   * A held manager (a spare worker's) becomes this worker's: takes the id and starts every known
   * object's connector, kinds in `order` (what others refer to first), one after the other.
   */
  async release(workerId: number, order: (kindId: string) => number): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.deps.workerId = workerId;
    const all = [...this.known.entries()].sort(
      ([a], [b]) => order(a.slice(0, a.indexOf('/'))) - order(b.slice(0, b.indexOf('/'))),
    );
    for (const [k, config] of all) {
      const kindId = k.slice(0, k.indexOf('/'));
      if (this.known.get(k) === config) await this.apply(kindId, config.name, config);
    }
  }

  private async applyNow(kindId: string, name: string, config: ConfigObject | undefined): Promise<void> {
    const ck = declarationFor(kindId);
    if (!ck || this.stopping) return;
    const k = key(kindId, name);
    const inst = this.instances.get(k);
    if (!config || !config.active) {
      if (inst) await this.stopInstance(k, inst);
      return;
    }
    if (ck.placement === 'server' && this.deps.workerId !== 1) return;
    if (inst) {
      inst.config = config;
      if (inst.state === 'failed') await this.restartFailed(k, inst);
      else if (inst.connector) await inst.connector.reconfigure(config);
      return;
    }
    const fresh: Instance = { decl: ck, config, state: 'waiting-lease' };
    this.instances.set(k, fresh);
    if (ck.placement === 'cluster') {
      void this.runUnderLease(k, fresh);
      return;
    }
    await this.startInstance(k, fresh);
  }

  private async startInstance(k: string, inst: Instance): Promise<void> {
    const [kindId, name] = [inst.decl.kind.id, inst.config.name];
    try {
      inst.kind ??= await loadConnector(kindId);
      if (!inst.kind) throw new Error(`no connector for ${kindId}`);
      const connector = inst.kind.create(inst.config, this.deps.context(kindId, name));
      inst.connector = connector;
      await connector.start();
      inst.state = 'running';
      delete inst.error;
    } catch (e) {
      inst.state = 'failed';
      inst.error = e instanceof Error ? e.message : String(e);
      this.deps.logger.error(`connector ${k} failed to start: ${inst.error}`);
    }
  }

  /** Once-per-cluster kinds: wait for the lease, run while it is held, wait again when it is lost. */
  private async runUnderLease(k: string, inst: Instance): Promise<void> {
    if (this.deps.workerId !== 1) return;
    const ac = new AbortController();
    inst.leaseAbort = ac;
    while (!ac.signal.aborted && !this.stopping) {
      let lease: Lease;
      try {
        lease = await this.deps
          .context(inst.decl.kind.id, inst.config.name)
          .lease(`connector:${k}`, { signal: ac.signal });
      } catch (e) {
        if (ac.signal.aborted) return;
        this.deps.logger.warn(`connector ${k}: lease failed: ${e instanceof Error ? e.message : String(e)}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (ac.signal.aborted) {
        await lease.release();
        return;
      }
      inst.lease = lease;
      await this.startInstance(k, inst);
      await new Promise<void>((resolve) => {
        if (lease.signal.aborted || ac.signal.aborted) resolve();
        lease.signal.addEventListener('abort', () => resolve(), { once: true });
        ac.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (inst.connector) await inst.connector.stop().catch(() => undefined);
      delete inst.connector;
      inst.state = 'waiting-lease';
      delete inst.lease;
      if (ac.signal.aborted) {
        await lease.release().catch(() => undefined);
        return;
      }
      this.deps.logger.warn(`connector ${k}: lease lost; waiting to take it again`);
    }
  }

  /** Starts again a connector whose start() failed: reconfigure() on it would not (it never started). */
  private async restartFailed(k: string, inst: Instance): Promise<void> {
    if (inst.decl.placement === 'cluster') return; // runUnderLease owns those
    await inst.connector?.stop().catch(() => undefined);
    delete inst.connector;
    await this.startInstance(k, inst);
  }

  private async stopInstance(k: string, inst: Instance): Promise<void> {
    this.instances.delete(k);
    inst.leaseAbort?.abort();
    if (inst.connector) {
      try {
        await inst.connector.stop();
      } catch (e) {
        this.deps.logger.warn(`connector ${k} did not stop cleanly: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await inst.lease?.release().catch(() => undefined);
  }

  private async reconfigureDependents(kindId: string, name: string): Promise<void> {
    for (const [k, inst] of this.instances) {
      const refs = inst.decl.kind.refs;
      if (!refs) continue;
      for (const [field, pattern] of Object.entries(refs)) {
        if (matchesKind(pattern, kindId) && refValues(inst.config, field).includes(name)) {
          try {
            // A dependent whose start failed (e.g. its definition did not exist yet) starts now.
            if (inst.state === 'failed') await this.restartFailed(k, inst);
            else if (inst.connector) await inst.connector.reconfigure(inst.config);
          } catch (e) {
            this.deps.logger.error(
              `connector ${k}: reconfigure after ${kindId}/${name} changed: ${e instanceof Error ? e.message : String(e)}`,
            );
          }
          break;
        }
      }
    }
  }

  /** What `this.outgoing.<x>(name)` returns. */
  handle(kindId: string, name: string): unknown {
    const inst = this.instances.get(key(kindId, name));
    if (inst?.connector?.handle) return inst.connector.handle();
    const title = declarationFor(kindId)?.kind.title ?? kindId;
    const cfg = this.known.get(key(kindId, name));
    if (cfg && !cfg.active) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [name]);
    if (inst) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [name]);
    throw new WharfError('WHARF_ERR_NO_SUCH_CONNECTION', [title, name]);
  }

  /** `{ outgoing: { http: (name) => ... }, cloud: { swift: (name) => ... } }` from the registered kinds. */
  accessors(): {
    outgoing: Record<string, (name: string) => unknown>;
    cloud: Record<string, (name: string) => unknown>;
  } {
    const out = {
      outgoing: {} as Record<string, (name: string) => unknown>,
      cloud: {} as Record<string, (name: string) => unknown>,
    };
    for (const ck of allDeclarations()) {
      if (!ck.accessor) continue;
      const id = ck.kind.id;
      out[ck.accessor.group][ck.accessor.name] = (name: string) => this.handle(id, name);
    }
    return out;
  }

  status(): InstanceStatus[] {
    return [...this.instances.entries()].map(([k, inst]) => {
      const slash = k.indexOf('/');
      return {
        kind: k.slice(0, slash),
        name: k.slice(slash + 1),
        placement: inst.decl.placement,
        state: inst.state,
        health: inst.connector?.health() ?? {
          status: inst.state === 'failed' ? 'down' : 'stopped',
          ...(inst.error ? { detail: inst.error } : {}),
        },
      };
    });
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.chains.values()]);
    await Promise.allSettled([...this.instances.entries()].map(([k, inst]) => this.stopInstance(k, inst)));
  }
}
