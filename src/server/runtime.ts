/**
 * Everything one worker process holds: the config snapshot, the service registry, the connector
 * instances, and the loop that keeps them equal to the ODB. `sync()` applies the change log from
 * the worker's version on; the broker only says "there is something new", and a periodic poll
 * covers lost announcements.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AdminRuntime } from '../admin/runtime.js';
import { acquireLease } from '../cluster/lease.js';
import { LocalClusterServices } from '../cluster/local.js';
import type { AsyncInvocation, ClusterServices } from '../cluster/types.js';
import type { Broker } from '../cluster/broker/types.js';
import { describeIssues, type ConfigObject } from '../config/kind.js';
import { allKinds, findKind } from '../config/registry.js';
import { openFields, SecretBox } from '../config/secrets.js';
import { ConfigSnapshot } from '../config/snapshot.js';
import { ConnectorManager } from '../connectors/manager.js';
import type { ConnectorContext, Lease, MessageInvocation } from '../connectors/types.js';
import { normalizeError, WharfError } from '../errors.js';
import { MODULE_KIND, type Odb, type StoredModule, type StoredObject } from '../odb/odb.js';
import { checkConflicts, prepareModule } from '../service/deploy/deployer.js';
import { mapServiceStack } from '../service/deploy/load.js';
import { codecs, type Parsed } from '../service/formats/index.js';
import { Cancellation } from '../service/cancellation.js';
import { DeadlineSweeper, type Deadline } from '../service/deadlines.js';
import { Pipeline, type Invocation, type InvocationResult } from '../service/pipeline.js';
import { ServiceRegistry } from '../service/registry.js';
import type { ServiceLogger, ServiceRuntime, UserConfig } from '../service/service.js';
import type { CloudConnections, OutgoingConnections } from '../service/registries.js';
import type { ServerConfig } from './config.js';
import { serviceLogger } from './logger.js';

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});
const NO_PARAMS: Invocation['params'] = Object.freeze({ path: EMPTY, query: EMPTY });

export interface RuntimeOptions {
  config: ServerConfig;
  odb: Odb;
  broker: Broker;
  logger: Logger;
  workerId: number;
  /** The public API module that `import 'wharf-esb'` (or the legacy 'wharf') resolves to inside services. */
  api: object;
  /** Where bare imports in services resolve from (the package's own node_modules). */
  resolveFrom: string;
  /** Async invocations, locks and leases; the embedded default's in-process implementation if absent. */
  cluster?: ClusterServices;
  /** A spare worker: `start()` loads and follows the config but starts no connectors until `activate()`. */
  spare?: boolean;
}

export class WorkerRuntime implements AdminRuntime {
  readonly snapshot = new ConfigSnapshot();
  readonly registry = new ServiceRegistry();
  readonly pipeline: Pipeline;
  readonly manager: ConnectorManager;
  readonly box: SecretBox;
  readonly log: ServiceLogger;
  private versionApplied = 0;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private userConfig: UserConfig = Object.freeze({});
  private readonly holder: string;
  readonly moduleErrors = new Map<string, string>();
  readonly cluster: ClusterServices;
  private readonly deadlines = new DeadlineSweeper(25);

  constructor(readonly opts: RuntimeOptions) {
    this.box = SecretBox.fromHex(readFileSync(opts.config.secretKeyFile, 'utf8'));
    this.log = serviceLogger(opts.logger);
    this.holder = `${opts.config.name}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.cluster = opts.cluster ?? new LocalClusterServices(opts.odb, this.holder);
    this.manager = new ConnectorManager({
      workerId: opts.workerId,
      held: opts.spare === true,
      logger: this.log,
      context: (kindId, name) => this.connectorContext(kindId, name),
    });
    const acc = this.manager.accessors();
    const self = this;
    const runtime: ServiceRuntime = {
      invoke: (name, input, parent) => self.pipeline.invoke(name, input, parent),
      async invokeAsync(name, input, parent, callback) {
        if (!self.registry.has(name)) throw new WharfError('WHARF_ERR_SERVICE_NOT_DEPLOYED', [name]);
        const cid = randomUUID();
        await self.cluster.invokeAsync({ cid, service: name, input, callback, parentCid: parent.cid });
        return cid;
      },
      lock: (name, o) => self.cluster.lock(name, o),
      outgoing: acc.outgoing as unknown as OutgoingConnections,
      cloud: acc.cloud as unknown as CloudConnections,
      get config() {
        return self.userConfig;
      },
      logger: (cid, service) => serviceLogger(opts.logger.child({ cid, service })),
    };
    this.pipeline = new Pipeline(this.registry, runtime);
  }

  get version(): number {
    return this.versionApplied;
  }

  /** Loads everything the ODB holds, then follows announcements and polls. */
  async start(): Promise<void> {
    const version = await this.opts.odb.version();
    for (const m of await this.opts.odb.listModules()) await this.applyModule(m.name, m);
    // Kinds in registration order, so what others refer to (definitions, security) starts first.
    const order = new Map(allKinds().map((k, i) => [k.id, i]));
    const objects = (await this.opts.odb.listObjects()).sort(
      (a, b) => (order.get(a.kind) ?? 1e9) - (order.get(b.kind) ?? 1e9),
    );
    for (const o of objects) await this.applyObject(o.kind, o.name, o);
    this.versionApplied = version;
    this.opts.broker.subscribe((v) => {
      if (v > this.versionApplied) void this.sync();
    });
    this.opts.broker.onReconnect?.(() => void this.sync());
    if (!this.opts.spare) await this.cluster.start((inv) => this.runAsync(inv));
    this.timer = setInterval(() => void this.sync(), this.opts.config.syncIntervalMs);
    this.timer.unref();
    await this.sync();
  }

  /**
   * A spare worker takes the place of worker `workerId`: the id (connector placement, connector
   * contexts), then its connectors and the async invocation consumer start.
   */
  async activate(workerId: number): Promise<void> {
    if (!this.opts.spare) return;
    this.opts.spare = false;
    this.opts.workerId = workerId;
    await this.sync();
    const order = new Map(allKinds().map((k, i) => [k.id, i]));
    await this.manager.release(workerId, (kindId) => order.get(kindId) ?? 1e9);
    await this.cluster.start((inv) => this.runAsync(inv));
  }

  /** Applies every change after the applied version; concurrent calls coalesce. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        try {
          await this.syncOnce();
        } catch (e) {
          this.log.error(`config sync failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      } while (this.syncAgain);
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const changes = await this.opts.odb.changesSince(this.versionApplied);
    if (changes.length === 0) return;
    const seen = new Set<string>();
    // The newest change of each object wins; apply in version order of that newest change.
    const latest = changes.filter((c, i) => {
      const k = `${c.kind}\u0000${c.name}`;
      const later = changes.slice(i + 1).some((d) => d.kind === c.kind && d.name === c.name);
      if (later || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    for (const c of latest) {
      if (c.kind === MODULE_KIND) await this.applyModule(c.name);
      else await this.applyObject(c.kind, c.name);
    }
    this.versionApplied = changes[changes.length - 1]!.version;
  }

  /** Applies a module: the given stored row (start: one listModules for all), else read from the ODB. */
  private async applyModule(name: string, stored?: StoredModule): Promise<void> {
    const m = stored ?? (await this.opts.odb.getModule(name));
    if (!m) {
      this.registry.removeModule(name);
      this.moduleErrors.delete(name);
      return;
    }
    if (this.registry.getModule(name)?.hash === m.hash) return;
    try {
      const prepared = await prepareModule(name, m.source, {
        api: this.opts.api,
        resolveFrom: this.opts.resolveFrom,
        resolveDir: this.opts.config.pickupDir,
      });
      checkConflicts(this.registry, prepared);
      this.registry.swapModule(name, prepared.hash, prepared.entries);
      this.moduleErrors.delete(name);
      this.log.info(`deployed ${name} (${prepared.entries.map((e) => e.name).join(', ')})`, {
        hash: prepared.hash.slice(0, 12),
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.moduleErrors.set(name, msg);
      this.log.error(`cannot deploy ${name}; the previous version keeps serving: ${msg}`);
    }
  }

  /** Reads an object (unless given), decrypts and validates it, then updates snapshot and connectors. */
  private async applyObject(kindId: string, name: string, stored?: StoredObject): Promise<void> {
    const kind = findKind(kindId);
    if (!kind) {
      this.log.warn(`ignoring object of unknown kind ${kindId}/${name}`);
      return;
    }
    const row = stored ?? (await this.opts.odb.getObject(kindId, name));
    if (!row) {
      this.snapshot.delete(kindId, name);
      if (kindId === 'config.user') this.rebuildUserConfig();
      await this.manager.apply(kindId, name, undefined);
      return;
    }
    const parsed = kind.schema.safeParse(openFields(this.box, row.data, kind.secrets));
    if (!parsed.success) {
      this.log.error(`object ${kindId}/${name} in the ODB is invalid: ${describeIssues(parsed.error).join('; ')}`);
      return;
    }
    const obj = parsed.data as ConfigObject;
    this.snapshot.set(kindId, obj);
    if (kindId === 'config.user') this.rebuildUserConfig();
    await this.manager.apply(kindId, name, obj);
  }

  private rebuildUserConfig(): void {
    const out: Record<string, Readonly<Record<string, unknown>>> = {};
    for (const o of this.snapshot.list('config.user'))
      if (o.active) out[o.name] = Object.freeze({ ...(o['values'] as Record<string, unknown>) });
    this.userConfig = Object.freeze(out);
  }

  private connectorContext(kindId: string, name: string): ConnectorContext {
    const logger = serviceLogger(this.opts.logger.child({ connector: `${kindId}/${name}` }));
    return {
      logger,
      server: { name: this.opts.config.name, workerId: this.opts.workerId, dataDir: this.opts.config.dir },
      invoke: (inv) => this.invoke(inv),
      resolve: (k, n) => this.snapshot.get(k, n),
      state: {
        get: (key) => this.opts.odb.getState(`${kindId}/${name}`, key),
        set: (key, value) => this.opts.odb.setState(`${kindId}/${name}`, key, value),
        list: () => this.opts.odb.listState(`${kindId}/${name}`),
      },
      lease: (leaseName, o) => this.lease(leaseName, o),
      outgoing: (k, n) => this.manager.handle(k, n),
    };
  }

  /** The context an admin action on `kindId/name` runs with. */
  actionContext(kindId: string, name: string): ConnectorContext {
    return this.connectorContext(kindId, name);
  }

  lease(name: string, o: { ttlMs?: number; signal?: AbortSignal } = {}): Promise<Lease> {
    const store = this.cluster.leaseStore;
    return acquireLease(store, name, this.holder, o);
  }

  /** Parses (unless pre-parsed) and runs a service for a channel; applies the channel's timeout. */
  invoke(inv: MessageInvocation): Promise<InvocationResult> {
    const cid = inv.cid ?? randomUUID();
    let parsed: Parsed;
    try {
      parsed = inv.parsed ?? codecs[inv.dataFormat].parse(inv.raw, { maxDepth: 64, ...(inv.codec ?? {}) });
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const cancellation = new Cancellation();
    const run = this.pipeline.run({
      service: inv.service,
      cid,
      channel: inv.channel,
      method: inv.method ?? 'POST',
      raw: inv.raw,
      payload: parsed.payload,
      body: parsed.input,
      headers: inv.headers ?? EMPTY,
      params: !inv.params
        ? NO_PARAMS
        : inv.params.path && inv.params.query
          ? (inv.params as Invocation['params'])
          : { path: inv.params.path ?? EMPTY, query: inv.params.query ?? EMPTY },
      priorities: inv.priorities,
      cancellation,
    });
    const ms = inv.timeoutMs;
    if (!ms) return run;
    // One wrapper promise and a swept deadline: no timer per request.
    return new Promise<InvocationResult>((resolve, reject) => {
      const deadline: Deadline = {
        at: Date.now() + ms,
        expire() {
          const err = new WharfError('WHARF_ERR_TIMEOUT', [inv.service, ms]);
          cancellation.abort(err);
          reject(err);
        },
      };
      const token = this.deadlines.add(deadline);
      run.then(
        (r) => {
          this.deadlines.delete(token, deadline);
          resolve(r);
        },
        (e: unknown) => {
          this.deadlines.delete(token, deadline);
          reject(e);
        },
      );
    });
  }

  /** Runs a queued async invocation, then its callback service (if any) with the outcome. */
  async runAsync(inv: AsyncInvocation): Promise<void> {
    let outcome: {
      cid: string;
      service: string;
      ok: boolean;
      output?: unknown;
      error?: { code: string; message: string };
    };
    try {
      const output = await this.pipeline.invoke(inv.service, inv.input, { cid: inv.cid });
      outcome = { cid: inv.cid, service: inv.service, ok: true, output };
    } catch (e) {
      const err = normalizeError(e, inv.cid);
      if (err.status >= 500)
        this.log.error(`async ${inv.service} failed`, {
          cid: inv.cid,
          parentCid: inv.parentCid,
          stack: mapServiceStack((err.cause instanceof Error ? err.cause.stack : err.stack) ?? ''),
        });
      outcome = { cid: inv.cid, service: inv.service, ok: false, error: { code: err.code, message: err.message } };
    }
    if (inv.callback) {
      await this.pipeline.invoke(inv.callback, outcome, { cid: inv.cid }).catch((e: unknown) => {
        this.log.error(
          `callback ${inv.callback} of async ${inv.service} failed: ${e instanceof Error ? e.message : String(e)}`,
          { cid: inv.cid },
        );
      });
    }
  }

  moduleHashes(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of this.registry.listModules()) out[m.name] = m.hash;
    return out;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.deadlines.stop();
    await this.manager.stopAll();
    await this.cluster.stop();
  }
}
