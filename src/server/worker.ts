/**
 * A worker process: the runtime (config, services, connectors) behind an HTTP server that shares
 * the server's port with its sibling workers (node:cluster). Stops gracefully: no new connections,
 * in-flight requests finish (bounded by shutdownTimeoutMs), connectors stop, the ODB closes.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { createAdminHandler, SERVER_FACTS_SCOPE } from '../admin/http.js';
import { deployModule } from '../admin/service-ops.js';
import { clientErrorHandler, createRequestListener } from '../channels/http/handler.js';
import { frontEnabled, HttpFront } from '../channels/http/front/front.js';
import { WharfError } from '../errors.js';
import { httpRouter } from '../channels/http/router.js';
import { IpcBroker } from '../cluster/broker/ipc.js';
import type { Broker } from '../cluster/broker/types.js';
import { ensureLbKind } from '../cluster/lb/register.js';
import { RequestMetrics, WorkerMetricsChannel, renderMetrics } from '../cluster/metrics.js';
import { SeriesRecorder } from '../cluster/metrics-series.js';
import type { RedisClusterOptions, RedisClusterServices } from '../cluster/redis/services.js';
import { registerBuiltinKinds } from '../kinds.js';
import { Odb } from '../odb/odb.js';
import type { ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import type { Logger } from 'pino';
import {
  isActivateMessage,
  isDeployRequest,
  isTyped,
  type DeployOutcome,
  type DeployReply,
  SHUTDOWN,
  SPARE_READY,
  WORKER_READY,
} from './ipc.js';
import { watchMemory } from './recycle.js';
import { WorkerRuntime } from './runtime.js';
import { defaultBlockedMs, Watchdog } from './watchdog.js';
import { setModuleLoadDefaults } from '../service/deploy/load.js';
import { setCompileCacheDir } from '../service/deploy/compile-cache.js';
import { setInvocationProbe } from '../service/pipeline.js';
import { PACKAGE_ROOT } from '../paths.js';

/** A single process that stops itself to be restarted (memory recycling): primary.ts EXIT.RESTART. */
const EXIT_RESTART = 75;

async function createBroker(config: ServerConfig, prefix: string): Promise<Broker> {
  if (config.broker.type === 'ipc') return new IpcBroker();
  const { RedisBroker } = await import('../cluster/broker/redis.js');
  const { CompositeBroker } = await import('../cluster/broker/composite.js');
  // Redis reaches every server; IPC keeps this server's workers in step even while Redis is away.
  return new CompositeBroker([await RedisBroker.connect({ ...config.broker, prefix }), new IpcBroker()]);
}

export interface WorkerOptions {
  /** Resolves once the primary has migrated the ODB (first workers start while it does). */
  odbReady?: Promise<void>;
  /**
   * A spare worker (server.yaml `watchdog.spare`) loads everything, then waits idle (no connectors,
   * not listening) until the primary activates it with the id of the worker it replaces.
   */
  spare?: boolean;
  /** Single-process mode (single.ts): this process is the server; no primary, no IPC. */
  single?: SingleHooks;
}

export interface SingleHooks {
  logger: Logger;
  /** Before the listener closes (the pickup watcher stops). */
  beforeStop(): Promise<void>;
  /** After everything stopped, before the exit (the pid file goes). */
  afterStop(): void;
}

/** What a single process drives its worker with. */
export interface WorkerHandle {
  deploy(name: string, source: string, from: string): Promise<DeployOutcome>;
  stop(exitCode?: number): Promise<void>;
}

export async function runWorker(
  config: ServerConfig,
  id: number,
  foreground: boolean,
  o: WorkerOptions = {},
): Promise<WorkerHandle> {
  const { odbReady = Promise.resolve(), spare = false, single } = o;
  registerBuiltinKinds();
  ensureLbKind();
  // A spare learns its id when it is activated (0 until then; its log lines say `spare: true`).
  let workerId = spare ? 0 : id;
  const logger =
    single?.logger ??
    createLogger({
      file: config.logFile,
      level: config.logLevel,
      toStdout: foreground,
      base: spare ? { server: config.name } : { server: config.name, worker: workerId },
      ...(spare ? { mixin: () => (workerId > 0 ? { worker: workerId } : { spare: true }) } : {}),
    });
  // The server's pid: the primary's, or this process in single-process mode.
  const serverPid = single ? process.pid : process.ppid;
  // A stop asked while the spare still loads is kept for when it would wait.
  const spareStop = { asked: false };
  if (spare) {
    process.on('SIGINT', () => {
      /* the primary coordinates Ctrl-C */
    });
    const early = (m: unknown): void => {
      if (isTyped(m, SHUTDOWN)) spareStop.asked = true;
    };
    process.on('message', early);
    process.once('SIGTERM', () => (spareStop.asked = true));
  }
  // The event-loop watchdog (started once the worker is ready) and the module load time limit.
  const watchdog =
    config.watchdog.blockedMs === 0 ? undefined : new Watchdog(config.watchdog.blockedMs ?? defaultBlockedMs(0));
  // Compiled modules cached by content: a restart (or a sibling worker) loads them without esbuild.
  setCompileCacheDir(join(config.dir, 'cache', 'modules'));
  setModuleLoadDefaults({ timeoutMs: config.moduleLoadTimeoutMs, ...(watchdog ? { watch: watchdog.loading } : {}) });
  if (watchdog) setInvocationProbe(watchdog.enter);
  await odbReady;
  const odb = await Odb.open(config.odb);
  // The Redis client is imported only by a cluster's workers.
  const prefix =
    config.broker.type === 'redis'
      ? (await import('../cluster/redis/connect.js')).clusterPrefix(await odb.clusterName())
      : '';
  const broker = await createBroker(config, prefix);
  // A cluster: durable async invocations, locks and leases over Redis (else the embedded in-process ones).
  let cluster: RedisClusterServices | undefined;
  const consumerName = (): string => `${config.name}:${workerId > 0 ? `w${workerId}` : 'spare'}:${process.pid}`;
  let clusterOpts: RedisClusterOptions | undefined;
  if (config.broker.type === 'redis') {
    const { RedisClusterServices } = await import('../cluster/redis/services.js');
    // Kept: a spare's consumer name takes its worker id when it is activated (before it consumes).
    cluster = await RedisClusterServices.connect(
      (clusterOpts = {
        redis: config.broker,
        prefix,
        consumer: consumerName(),
        // Tuning knob (tests, benchmarks): how long a dead worker's async invocations wait before another takes them.
        ...(Number(process.env['WHARF_ASYNC_CLAIM_IDLE_MS']) > 0
          ? { claimIdleMs: Number(process.env['WHARF_ASYNC_CLAIM_IDLE_MS']) }
          : {}),
        log: (level, msg, extra) => logger[level](extra ?? {}, msg),
      }),
    );
  }
  const api = (await import('../index.js')) as object;
  const rt = new WorkerRuntime({
    config,
    odb,
    broker,
    logger,
    workerId,
    api,
    resolveFrom: PACKAGE_ROOT,
    ...(cluster ? { cluster } : {}),
    spare,
  });
  await rt.start();
  if (spare) {
    const next = spareStop.asked ? undefined : await idleAsSpare(logger, rt.version);
    if (next === undefined) {
      await rt.stop();
      await broker.close();
      await odb.close();
      logger.info('spare worker stopped');
      logger.flush();
      setTimeout(() => process.exit(0), 50).unref();
      return { deploy: () => Promise.reject(new Error('stopped')), stop: () => Promise.resolve() };
    }
    workerId = next;
    if (clusterOpts) clusterOpts.consumer = consumerName();
    await rt.activate(workerId);
    logger.info({ pid: process.pid, version: rt.version }, `spare worker takes the place of worker ${workerId}`);
  }
  const startedAt = Date.now();
  let stopping = false;

  const requests = new RequestMetrics();
  // Recent traffic for the admin dashboard (5 s slots over 15 min); HTTP channels through `observe`,
  // message channels (AMQP, MQTT, ZeroMQ, ...) and scheduler jobs around the runtime's invoke.
  const series = new SeriesRecorder();
  const observe = (channel: string, target: string, status: number, ms: number): void => {
    requests.observe(channel, target, status, ms);
    series.observeHttp(channel, target, status, ms);
  };
  const invokeForChannel = rt.invoke.bind(rt);
  rt.invoke = (inv) => {
    const kind = inv.channel.kind;
    if (kind === 'http') return invokeForChannel(inv); // observed by dispatch
    const started = performance.now();
    const run = invokeForChannel(inv);
    const channel = kind === 'scheduler' ? undefined : inv.channel.name;
    run.then(
      (r) => series.observeMessage(kind, channel, inv.service, r.statusCode, performance.now() - started),
      (e: unknown) =>
        series.observeMessage(
          kind,
          channel,
          inv.service,
          e instanceof WharfError ? e.status : 500,
          performance.now() - started,
        ),
    );
    return run;
  };
  const metrics = new WorkerMetricsChannel(
    workerId,
    () => ({
      workerId,
      pid: process.pid,
      configVersion: rt.version,
      modules: rt.moduleHashes(),
      series: requests.list(),
      connectors: rt.manager.status().map((c) => ({
        kind: c.kind,
        name: c.name,
        placement: c.placement,
        state: c.state,
        status: c.health.status,
        detail: c.health.detail,
      })),
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      uptimeSeconds: (Date.now() - startedAt) / 1000,
      async: cluster ? { ...cluster.stats } : undefined,
    }),
    (minutes) => series.dump(workerId, minutes),
  );

  const admin = createAdminHandler({
    rt,
    publish: (v) => broker.publish(v),
    info: () => ({
      server: config.name,
      host: config.host,
      port: config.port,
      pid: serverPid,
      workerPid: process.pid,
      worker: workerId,
      workers: config.workerCount,
      uptimeMs: Date.now() - startedAt,
    }),
    workers: () => metrics.gather(),
    series: (minutes) => metrics.gatherSeries(minutes),
    metrics: async () =>
      renderMetrics(config.name, await metrics.gather(), { odbVersion: await odb.version().catch(() => undefined) }),
  });
  // node:http's deadlines (chunked bodies and other handed-off requests): the whole request within head + body deadlines.
  const edges = config.http;
  const server: Server = createServer(
    {
      keepAliveTimeout: 65_000,
      headersTimeout: edges.headTimeoutMs,
      requestTimeout: edges.headTimeoutMs + edges.bodyTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, edges.headTimeoutMs),
    },
    createRequestListener({ router: httpRouter, logger: rt.log, internal: admin, observe }),
  );
  // Wharf's HTTP/1.1 front listens and hands node:http what it does not serve itself (WHARF_HTTP_FRONT=node: node:http only).
  const front = frontEnabled()
    ? new HttpFront({
        router: httpRouter,
        hooks: { logger: rt.log, observe },
        fallback: server,
        keepAliveMs: 65_000,
        headersTimeoutMs: edges.headTimeoutMs,
        bodyTimeoutMs: edges.bodyTimeoutMs,
        bodyMinBytesPerSec: edges.bodyMinBytesPerSec,
        maxConnections: edges.maxConnections,
      })
    : undefined;
  server.on('clientError', clientErrorHandler(rt.log));
  if (front) await front.listen(config.port, config.host);
  else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  }

  // Facts that do not change while the server runs (cluster/servers shows them for every server).
  let factsReported = false;
  const report = async (): Promise<void> => {
    if (workerId !== 1) return;
    if (!factsReported)
      await odb
        .setState(SERVER_FACTS_SCOPE, config.name, {
          startedAt: new Date(startedAt).toISOString(),
          workers: config.workerCount,
        })
        .then(() => (factsReported = true))
        .catch((e: unknown) => logger.warn({ err: String(e) }, 'cannot report server facts'));
    await odb
      .reportServer({
        name: config.name,
        host: config.host,
        port: config.port,
        pid: serverPid,
        configVersion: rt.version,
        moduleHashes: rt.moduleHashes(),
        lastSeen: new Date().toISOString(),
      })
      .catch((e: unknown) => logger.warn({ err: String(e) }, 'cannot report server status'));
  };
  await report();
  // Default watchdog limit: max(10 s, longest HTTP channel timeout + 5 s), followed as channels change.
  const followLimit = (): void => {
    if (!watchdog || config.watchdog.blockedMs !== undefined) return;
    let longest = 0;
    for (const c of rt.snapshot.list('channels.http'))
      if (typeof c['timeoutMs'] === 'number' && c['timeoutMs'] > longest) longest = c['timeoutMs'];
    watchdog.limitMs = defaultBlockedMs(longest);
  };
  followLimit();
  const reporter = setInterval(() => {
    void report();
    followLimit();
  }, 5000);
  reporter.unref();
  // Past a memory ceiling: the primary replaces this worker; a single process stops to be restarted.
  const stopMemoryWatch = watchMemory(config.recycle, workerId, logger, (m) =>
    single ? void shutdown(EXIT_RESTART) : process.send?.(m),
  );

  const deploy = (name: string, source: string, from: string): Promise<DeployOutcome> =>
    deployModule(rt, (v) => broker.publish(v), name, source, from).then(
      (result): DeployOutcome => ({ ok: true, result }),
      (e: unknown): DeployOutcome => ({ ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  // The primary asks worker 1 to deploy files from the pickup directory.
  process.on('message', (m: unknown) => {
    if (isDeployRequest(m)) {
      void deploy(m.name, m.source, m.from).then((r) =>
        process.send?.({ type: 'wharf:deploy-reply', id: m.id, ...r } satisfies DeployReply),
      );
    } else if (typeof m === 'object' && m !== null && (m as { type?: string }).type === SHUTDOWN) {
      void shutdown();
    }
  });

  async function shutdown(exitCode = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(reporter);
    stopMemoryWatch();
    if (single) {
      logger.info(
        { exitCode },
        exitCode === EXIT_RESTART
          ? `server ${config.name} stopping to be restarted by its supervisor (single-process mode)`
          : `server ${config.name} stopping`,
      );
      await single.beforeStop();
    }
    logger.info('worker stopping: draining in-flight requests');
    const closed = front ? front.close() : new Promise<void>((resolve) => server.close(() => resolve()));
    const closeIdle = (): void => (front ? front.closeIdle() : server.closeIdleConnections());
    closeIdle();
    const idle = setInterval(closeIdle, 50);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
    await Promise.race([closed, deadline]);
    clearInterval(idle);
    if (front) front.closeAll();
    else server.closeAllConnections();
    await rt.stop();
    await broker.close();
    await odb.close();
    logger.info('worker stopped');
    if (single) {
      single.afterStop();
      logger.info(`server ${config.name} stopped`);
    }
    logger.flush();
    process.exitCode = exitCode;
    setTimeout(() => process.exit(exitCode), 50).unref();
  }
  process.on('SIGTERM', () => void shutdown());
  if (single) {
    process.on('SIGINT', () => void shutdown());
    process.on('SIGHUP', () => void shutdown());
  } else
    process.on('SIGINT', () => {
      /* the primary coordinates Ctrl-C */
    });
  watchdog?.start({
    logFile: config.logFile,
    toStdout: foreground,
    server: config.name,
    workerId,
    single: single !== undefined,
  });
  process.send?.({ type: WORKER_READY, workerId });
  logger.info(
    { port: config.port, version: rt.version, pid: process.pid, watchdogMs: watchdog?.limitMs ?? 0 },
    'worker ready',
  );
  return { deploy, stop: shutdown };
}

/** A loaded spare tells the primary and waits: the id of the worker it replaces, or undefined to stop. */
function idleAsSpare(logger: ReturnType<typeof createLogger>, version: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const done = (id: number | undefined): void => {
      process.off('message', onMessage);
      process.off('SIGTERM', onTerm);
      resolve(id);
    };
    const onMessage = (m: unknown): void => {
      if (isActivateMessage(m)) done(m.workerId);
      else if (isTyped(m, SHUTDOWN)) done(undefined);
    };
    const onTerm = (): void => done(undefined);
    process.on('message', onMessage);
    process.on('SIGTERM', onTerm);
    process.send?.({ type: SPARE_READY });
    logger.info({ pid: process.pid, version }, 'spare worker ready: loaded, idle until it takes the place of a worker');
  });
}
