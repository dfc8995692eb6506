/**
 * The connector behind a `notifications.openstackSwift` object. Every `intervalMs` (ticks never overlap) it
 * lists the watched containers and, for each object whose name matches, invokes the service with
 * {container, name, size, etag, lastModified, contentType, metadata, payload?}. At least once: the object is
 * deleted, moved or marked as processed only after the service succeeded; a failing service leaves it for
 * a later tick (exponential backoff per object, counted in the persistent state), and after `maxFailures`
 * it is moved to the error container with metadata saying why. The manager runs it in one worker of the
 * cluster under a lease; the connector itself takes none.
 */
import { randomUUID } from 'node:crypto';
import type { Connector, ConnectorContext, ConnectorHealth, HealthStatus } from '../../connectors/types.js';
import { resolvedWithin } from '../../connectors/shared/lifecycle.js';
import { WharfError } from '../../errors.js';
import { SwiftClient, SwiftError, type ObjectEntry, type ObjectInfo } from '../../connectors/swift/client.js';
import { clientOptionsOf, swiftConnectionKind } from '../../connectors/swift/connection-kind.js';
import { globToRegExp } from './glob.js';
import { errorContainerOf, notifierProblems, parseWatch, type SwiftNotifierConfig, type Watch } from './kind.js';
import { metadataValue } from './metadata.js';
import {
  doneKey,
  failKey,
  isDoneRecord,
  isFailRecord,
  nextAttemptAt,
  parseKey,
  type DoneRecord,
  type FailRecord,
} from './records.js';

/** What the service gets as its input (and `request.payload`). */
export interface SwiftNotification {
  container: string;
  name: string;
  size: number;
  etag: string;
  /** ISO 8601, UTC. */
  lastModified: string;
  contentType: string;
  /** `X-Object-Meta-*` without the prefix, keys in lower case. */
  metadata: Record<string, string>;
  /** With fetchData: the data as text (`plain`) or parsed JSON (`json`). `request.raw` has the bytes. */
  payload?: unknown;
}

const CONNECTION_KIND = swiftConnectionKind.id;
const EMPTY = Buffer.alloc(0);
/** Sockets of the notifier's own client (it works on one object at a time). */
const CONNECTIONS = 2;

export function assertUsable(c: SwiftNotifierConfig): void {
  const problems = notifierProblems(c);
  if (problems.length > 0)
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [`Swift notifier \`${c.name}\`: ${problems.join('; ')}`]);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isNotFound(e: unknown): boolean {
  return e instanceof SwiftError && e.httpStatus === 404;
}

/** Swift's listing gives `2024-05-01T10:00:00.123450` (UTC, no zone). */
function isoTime(listing: string): string {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(listing) ? listing : `${listing}Z`);
  return Number.isNaN(d.getTime()) ? listing : d.toISOString();
}

/** What one tick works with: fixed at its start, so a reconfigure applies from the next tick. */
interface Tick {
  cfg: SwiftNotifierConfig;
  client: SwiftClient;
  matches(name: string): boolean;
  state: Map<string, unknown>;
  /** Containers already created/checked in this tick. */
  ensured: Set<string>;
  /** Set when the service cannot be invoked at all (not deployed...): the tick ends, nothing is counted. */
  halted?: string;
}

/** Errors that say nothing about the object: the service is missing or the server is stopping. */
const NOT_THE_OBJECT = new Set([
  'WHARF_ERR_SERVICE_NOT_DEPLOYED',
  'WHARF_ERR_SERVICE_UNKNOWN',
  'WHARF_ERR_SHUTTING_DOWN',
  'WHARF_ERR_METHOD_NOT_ALLOWED',
]);

export class SwiftNotifier implements Connector<SwiftNotifierConfig> {
  private config: SwiftNotifierConfig;
  private client: SwiftClient | undefined;
  private clientKey: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private lastTickEnd = 0;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private status: HealthStatus = 'starting';
  private detail: string | undefined;

  constructor(
    config: SwiftNotifierConfig,
    private readonly ctx: ConnectorContext,
  ) {
    assertUsable(config);
    this.config = config;
  }

  async start(): Promise<void> {
    this.schedule(0);
  }

  async reconfigure(config: SwiftNotifierConfig): Promise<void> {
    assertUsable(config);
    const intervalChanged = config.intervalMs !== this.config.intervalMs;
    this.config = config;
    // waiting for the next tick: measure the new interval from the end of the last one
    if (this.timer && intervalChanged && !this.stopping) {
      clearTimeout(this.timer);
      this.schedule(Math.max(0, this.lastTickEnd + config.intervalMs - Date.now()));
    }
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  health(): ConnectorHealth {
    if (this.stopped) return { status: 'stopped' };
    return this.detail === undefined ? { status: this.status } : { status: this.status, detail: this.detail };
  }

  // ---- scheduling

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.current = this.tick()
        .catch((e: unknown) => this.setHealth('degraded', `check failed: ${message(e)}`))
        .finally(() => {
          this.current = undefined;
          this.lastTickEnd = Date.now();
          if (!this.stopping) this.schedule(this.config.intervalMs);
        });
    }, delayMs);
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const running = this.current;
    if (running && !(await resolvedWithin(running, this.config.drainTimeoutMs))) {
      this.ctx.logger.warn(
        `Swift notifier \`${this.config.name}\`: the object in progress did not finish within ${this.config.drainTimeoutMs} ms; it is processed again later`,
      );
    }
    await this.dropClient();
  }

  private setHealth(status: HealthStatus, detail?: string): void {
    if (status !== 'up' && detail && detail !== this.detail)
      this.ctx.logger.warn(`Swift notifier \`${this.config.name}\`: ${detail}`);
    this.status = status;
    if (detail === undefined) delete this.detail;
    else this.detail = detail;
  }

  // ---- the Swift client, built from the connection's current settings

  private async connect(cfg: SwiftNotifierConfig): Promise<SwiftClient | undefined> {
    const raw = this.ctx.resolve(CONNECTION_KIND, cfg.connection);
    const fail = async (why: string): Promise<undefined> => {
      await this.dropClient();
      this.setHealth('down', why);
      return undefined;
    };
    if (!raw) return fail(`no OpenStack Swift connection named \`${cfg.connection}\``);
    const parsed = swiftConnectionKind.schema.safeParse(raw);
    if (!parsed.success)
      return fail(
        `Swift connection \`${cfg.connection}\` is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    if (!parsed.data.active) return fail(`Swift connection \`${cfg.connection}\` is not active`);
    const options = clientOptionsOf(parsed.data);
    const key = JSON.stringify(options);
    if (this.client && key === this.clientKey) return this.client;
    await this.dropClient();
    try {
      this.client = new SwiftClient({ ...options, connections: CONNECTIONS });
      this.clientKey = key;
    } catch (e) {
      return fail(message(e));
    }
    return this.client;
  }

  private async dropClient(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.clientKey = undefined;
    if (c) await resolvedWithin(c.close(), 2000);
  }

  // ---- one tick

  private async tick(): Promise<void> {
    const cfg = this.config;
    const client = await this.connect(cfg);
    if (!client) return;
    const include = globToRegExp(cfg.namePattern);
    const exclude = cfg.excludePattern === undefined ? undefined : globToRegExp(cfg.excludePattern);
    const t: Tick = {
      cfg,
      client,
      matches: (name) => include.test(name) !== cfg.negatePattern && !exclude?.test(name),
      state: new Map((await this.ctx.state.list()).map((e) => [e.key, e.value])),
      ensured: new Set(),
    };
    const watches = cfg.containers.map(parseWatch);
    const seen = new Set<string>();
    const complete: Watch[] = [];
    const problems: string[] = [];
    let listingFailures = 0;
    for (const watch of watches) {
      if (this.stopping) break;
      try {
        const listing = client.listObjects(watch.container, watch.prefix ? { prefix: watch.prefix } : {});
        for await (const entry of listing) {
          if ('subdir' in entry || entry.contentType === 'application/directory' || !t.matches(entry.name)) continue;
          seen.add(`${watch.container}/${entry.name}`);
          const problem = await this.process(t, watch.container, entry);
          if (problem) problems.push(problem);
          if (this.stopping || t.halted) break;
        }
        if (t.halted) break;
        if (!this.stopping) complete.push(watch);
      } catch (e) {
        listingFailures++;
        problems.push(isNotFound(e) ? `container \`${watch.container}\` does not exist` : message(e));
      }
    }
    if (!this.stopping && !t.halted) await this.prune(t, complete, seen);
    if (t.halted) this.setHealth('down', t.halted);
    else if (problems.length === 0) this.setHealth('up');
    else {
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
      this.setHealth(
        listingFailures === watches.length ? 'down' : 'degraded',
        `${problems.slice(0, 3).join('; ')}${more}`,
      );
    }
  }

  /** Handles one listed object; returns a problem to report in health, if any. */
  private async process(t: Tick, container: string, entry: ObjectEntry): Promise<string | undefined> {
    const { cfg, client, state } = t;
    const { name, hash: etag } = entry;
    const done = state.get(doneKey(container, name));
    if (isDoneRecord(done) && done.etag === etag) {
      if (!done.pending) return undefined; // kept, already processed
      return this.finish(t, container, name, done.pending, etag, done.contentEtag);
    }
    const failed = state.get(failKey(container, name));
    const prior = isFailRecord(failed) && failed.etag === etag ? failed : undefined;
    if (prior && prior.count >= cfg.maxFailures)
      return this.toErrorContainer(t, container, name, etag, prior.error, prior.count);
    if (prior && prior.nextAt > Date.now()) return undefined; // backing off

    const failures = prior?.count ?? 0;
    if (cfg.fetchData && entry.bytes > cfg.maxObjectSize) {
      return this.toErrorContainer(
        t,
        container,
        name,
        etag,
        `the object has ${entry.bytes} bytes, more than maxObjectSize (${cfg.maxObjectSize})`,
        failures,
      );
    }
    let data: Buffer | undefined;
    let notification: SwiftNotification;
    try {
      let info: ObjectInfo;
      if (cfg.fetchData) {
        const obj = await client.getObject(container, name);
        data = obj.body;
        info = obj;
      } else info = await client.headObject(container, name);
      notification = {
        container,
        name,
        size: data?.length ?? info.contentLength ?? entry.bytes,
        etag: info.etag ?? etag,
        lastModified: isoTime(entry.lastModified),
        contentType: info.contentType ?? entry.contentType,
        metadata: info.metadata,
      };
    } catch (e) {
      if (isNotFound(e)) return undefined; // gone since the listing (taken by someone else)
      return message(e);
    }
    if (data) {
      if (cfg.dataFormat === 'json') {
        try {
          notification.payload = data.length === 0 ? null : JSON.parse(data.toString('utf8'));
        } catch (e) {
          return this.toErrorContainer(t, container, name, etag, `the data is not valid JSON: ${message(e)}`, failures);
        }
      } else notification.payload = data.toString('utf8');
    }

    const cid = randomUUID();
    try {
      await this.ctx.invoke({
        service: cfg.service,
        cid,
        raw: data ?? EMPTY,
        dataFormat: cfg.dataFormat,
        channel: { name: cfg.name, kind: 'swift-notifier', dataFormat: cfg.dataFormat },
        parsed: { payload: notification, input: notification },
        headers: { 'content-type': notification.contentType },
        timeoutMs: cfg.timeoutMs,
      });
    } catch (e) {
      return this.failed(t, container, name, etag, failures, e, cid);
    }

    if (prior) await this.ctx.state.set(failKey(container, name), undefined);
    if (cfg.afterSuccess === 'keep') {
      const record: DoneRecord = { etag, at: new Date().toISOString() };
      await this.ctx.state.set(doneKey(container, name), record);
      return undefined;
    }
    return this.finish(t, container, name, cfg.afterSuccess, etag, notification.etag);
  }

  /** A failed invocation: remember it (backoff), or give up and move the object aside. */
  private async failed(
    t: Tick,
    container: string,
    name: string,
    etag: string,
    failures: number,
    e: unknown,
    cid: string,
  ): Promise<string | undefined> {
    const { cfg } = t;
    const status = e instanceof WharfError ? e.status : 500;
    const why = e instanceof WharfError ? `${e.code}: ${e.message}` : message(e);
    if (e instanceof WharfError && NOT_THE_OBJECT.has(e.code)) {
      t.halted = `service \`${cfg.service}\` cannot be invoked: ${why}`;
      return undefined;
    }
    const count = failures + 1;
    this.ctx.logger.warn(
      `Swift notifier \`${cfg.name}\`: service \`${cfg.service}\` failed for ${container}/${name} (attempt ${count}, cid ${cid}): ${why}`,
    );
    if (status < 500) {
      // bad input: trying again gives the same answer
      return this.toErrorContainer(
        t,
        container,
        name,
        etag,
        `service ${cfg.service} refused it (HTTP ${status}): ${why}`,
        count,
      );
    }
    if (count >= cfg.maxFailures) {
      return this.toErrorContainer(
        t,
        container,
        name,
        etag,
        `service ${cfg.service} failed ${count} times; last: ${why}`,
        count,
      );
    }
    const record: FailRecord = { etag, count, nextAt: nextAttemptAt(Date.now(), cfg.intervalMs, count), error: why };
    await this.ctx.state.set(failKey(container, name), record);
    t.state.set(failKey(container, name), record);
    return undefined;
  }

  /**
   * After success: delete or move the object; if that fails, remember it so only the action is retried.
   * An object replaced since it was processed (another ETag) is left alone: its new content is
   * processed on the next tick.
   */
  private async finish(
    t: Tick,
    container: string,
    name: string,
    action: 'delete' | 'move',
    etag: string,
    contentEtag: string | undefined,
  ): Promise<string | undefined> {
    const key = doneKey(container, name);
    try {
      const now = await t.client.headObject(container, name).catch((e: unknown) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      if (now && (contentEtag === undefined || now.etag === undefined || now.etag === contentEtag)) {
        if (action === 'move') {
          const target = t.cfg.moveTo;
          if (!target) throw new WharfError('WHARF_ERR_CONFIG_INVALID', ['moveTo is not set']);
          await this.ensureContainer(t, target);
          await this.move(t.client, container, name, target, {});
        } else await this.deleteQuietly(t.client, container, name);
      }
      if (t.state.has(key)) await this.ctx.state.set(key, undefined);
      return undefined;
    } catch (e) {
      const record: DoneRecord = {
        etag,
        at: new Date().toISOString(),
        pending: action,
        ...(contentEtag === undefined ? {} : { contentEtag }),
      };
      await this.ctx.state.set(key, record);
      t.state.set(key, record);
      return `processed ${container}/${name} but could not ${action} it (retried next time): ${message(e)}`;
    }
  }

  /** Moves an object to the error container with metadata saying why. */
  private async toErrorContainer(
    t: Tick,
    container: string,
    name: string,
    etag: string,
    reason: string,
    count: number,
  ): Promise<string | undefined> {
    const target = errorContainerOf(t.cfg, container);
    const key = failKey(container, name);
    const metadata = {
      'wharf-error': metadataValue(reason),
      'wharf-failures': String(count),
      'wharf-source': metadataValue(`${container}/${name}`),
      'wharf-notifier': metadataValue(t.cfg.name),
      'wharf-failed-at': new Date().toISOString(),
    };
    try {
      await this.ensureContainer(t, target);
      await this.move(t.client, container, name, target, metadata);
      if (t.state.has(key)) await this.ctx.state.set(key, undefined);
      this.ctx.logger.warn(
        `Swift notifier \`${t.cfg.name}\`: moved ${container}/${name} to the error container ${target}: ${reason}`,
      );
      return undefined;
    } catch (e) {
      // keep the verdict; the move is tried again on the next tick, without invoking the service
      const record: FailRecord = { etag, count: Math.max(count, t.cfg.maxFailures), nextAt: 0, error: reason };
      await this.ctx.state.set(key, record);
      t.state.set(key, record);
      return `could not move ${container}/${name} to the error container ${target}: ${message(e)}`;
    }
  }

  private async move(
    client: SwiftClient,
    container: string,
    name: string,
    target: string,
    metadata: Record<string, string>,
  ): Promise<void> {
    try {
      await client.copyObject(container, name, target, name, { metadata });
    } catch (e) {
      if (isNotFound(e)) {
        // the source is gone (someone took it), or the target container was removed meanwhile
        const gone = await client.headObject(container, name).then(
          () => false,
          (h: unknown) => isNotFound(h),
        );
        if (gone) return;
      }
      // Swift refuses metadata over its limits (the source's own plus ours): move without ours
      if (!(e instanceof SwiftError && e.httpStatus === 400 && Object.keys(metadata).length > 0)) throw e;
      await client.copyObject(container, name, target, name);
    }
    await this.deleteQuietly(client, container, name);
  }

  private async deleteQuietly(client: SwiftClient, container: string, name: string): Promise<void> {
    try {
      await client.deleteObject(container, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async ensureContainer(t: Tick, container: string): Promise<void> {
    if (t.ensured.has(container)) return;
    await t.client.putContainer(container); // idempotent: 201 created, 202 already there
    t.ensured.add(container);
  }

  /** Forgets objects that are gone from the fully listed places (or no longer match). */
  private async prune(t: Tick, complete: Watch[], seen: Set<string>): Promise<void> {
    for (const key of t.state.keys()) {
      const k = parseKey(key);
      if (!k || seen.has(`${k.container}/${k.name}`)) continue;
      if (complete.some((w) => w.container === k.container && k.name.startsWith(w.prefix)))
        await this.ctx.state.set(key, undefined);
    }
  }
}
