/**
 * A server's primary process: migrates the ODB, checks its port, forks the workers, relays config
 * announcements between them, restarts a worker that dies, watches the pickup directory, and on
 * SIGTERM/SIGINT stops everything gracefully.
 */
import cluster, { type Worker } from 'node:cluster';
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isChangedMessage } from '../cluster/broker/ipc.js';
import { PrimaryMetricsRelay } from '../cluster/metrics.js';
import { Odb } from '../odb/odb.js';
import type { ServerConfig } from './config.js';
import {
  ACTIVATE,
  isDeployReply,
  isRecycleRequest,
  isTyped,
  ODB_READY,
  ODB_WAIT,
  SHUTDOWN,
  SPARE_ENV,
  SPARE_READY,
  WAIT_ODB_ENV,
  WORKER_READY,
  type ActivateMessage,
  type DeployReply,
  type RecycleRequest,
} from './ipc.js';
import { watchPickup, type PickupDeploy } from './pickup.js';
import { createLogger } from './logger.js';
import { checkPortFree } from './ports.js';
import { heapHardLimitMb } from './recycle.js';

/** RESTART: a single process ended itself to be restarted by its supervisor (memory recycling). */
export const EXIT = { OK: 0, FAILED: 1, PORT_IN_USE: 3, ALREADY_RUNNING: 4, START_FAILED: 5, RESTART: 75 } as const;

export async function runPrimary(config: ServerConfig, foreground: boolean): Promise<void> {
  const logger = createLogger({
    file: config.logFile,
    level: config.logLevel,
    toStdout: foreground,
    // Single-process mode: this process is worker 1 too, and its logger is the worker's.
    base: config.singleProcess ? { server: config.name, worker: 1 } : { server: config.name, role: 'primary' },
  });
  const fail = (code: number, msg: string): never => {
    logger.error(msg);
    logger.flush();
    process.stderr.write(`wharf: ${msg}\n`);
    process.exit(code);
  };

  const busy = await checkPortFree(config.host, config.port);
  if (busy)
    fail(
      EXIT.PORT_IN_USE,
      `port ${config.host}:${config.port} is in use${busy === true ? '' : ` by ${busy}`}; stop that process or change the port in ${join(config.dir, 'config/server.yaml')}`,
    );

  mkdirSync(dirname(config.pidFile), { recursive: true });
  writeFileSync(config.pidFile, `${process.pid}\n`);
  mkdirSync(config.pickupDir, { recursive: true });
  if (config.singleProcess) {
    const { runSingleProcess } = await import('./single.js');
    return runSingleProcess(config, foreground, logger, fail);
  }

  // --max-old-space-size a margin above recycle.heapMb: the hard stop behind the graceful recycle.
  const execArgv =
    config.recycle.heapMb > 0
      ? [...process.execArgv, `--max-old-space-size=${heapHardLimitMb(config.recycle.heapMb)}`]
      : process.execArgv;
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)),
    args: [config.dir, foreground ? '--fg' : ''],
    execArgv,
  });
  let stopping = false;
  // Every worker process by id (0: the spare); `current` is the one serving for each id (worker 1
  // reports server facts and takes pickup deploys). While a worker is recycled, its replacement is
  // current and the old process drains: both live for a moment with one id.
  const procs = new Map<Worker, number>();
  const bornAt = new Map<Worker, number>();
  // The spare worker (watchdog.spare): loaded and idle; `spareReady` once it said so.
  const spare: { w?: Worker; ready: boolean } = { ready: false };
  const current = new Map<number, Worker>();
  const recycling = new Map<number, Worker>();
  const deployWaiters = new Map<number, (r: DeployReply) => void>();
  let deployId = 0;
  // /wharf/metrics and per-worker info: a worker asks, the primary collects from every current worker.
  const metricsRelay = new PrimaryMetricsRelay(() => current.values());

  // Until the ODB is migrated, forked workers load their modules and then wait for ODB_READY.
  let odbMigrated = false;
  const waitingForOdb = new Set<Worker>();
  const onMessage = (w: Worker, m: unknown): void => {
    if (isTyped(m, ODB_WAIT)) {
      if (odbMigrated) w.send({ type: ODB_READY });
      else waitingForOdb.add(w);
    } else if (isChangedMessage(m)) for (const other of procs.keys()) other.isConnected() && other.send(m);
    else if (isTyped(m, SPARE_READY)) {
      if (spare.w === w) spare.ready = true;
    } else if (isDeployReply(m)) deployWaiters.get(m.id)?.(m);
    else if (isRecycleRequest(m)) recycle(procs.get(w) ?? 0, w, m);
    else metricsRelay.handle(w, m);
  };
  const fork = (id: number): Worker => {
    const w = cluster.fork({ WHARF_WORKER_ID: String(id), ...(odbMigrated ? {} : { [WAIT_ODB_ENV]: '1' }) });
    bornAt.set(w, Date.now());
    procs.set(w, id);
    current.set(id, w);
    w.on('message', (m: unknown) => onMessage(w, m));
    w.on('exit', (code, signal) => onExit(w, code, signal));
    return w;
  };

  // The spare: forked once the workers are ready, again after one is activated (once that one is
  // ready) or dies (after a pause that grows if it dies young: no crash loop).
  const forkSpare = (): void => {
    if (stopping || !config.watchdog.spare || spare.w) return;
    spare.ready = false;
    const w = cluster.fork({ [SPARE_ENV]: '1', ...(odbMigrated ? {} : { [WAIT_ODB_ENV]: '1' }) });
    spare.w = w;
    bornAt.set(w, Date.now());
    procs.set(w, 0);
    w.on('message', (m: unknown) => onMessage(w, m));
    w.on('exit', (code, signal) => onExit(w, code, signal));
  };
  let spareDelayMs = 1000;
  const spareDied = (w: Worker, born: number, code: number | null, signal: string | null): void => {
    spare.w = undefined;
    spare.ready = false;
    if (stopping) return;
    spareDelayMs = Date.now() - born < 30_000 ? Math.min(spareDelayMs * 2, 60_000) : 1000;
    logger.error(
      { pid: w.process.pid, code, signal },
      `the spare worker (pid ${w.process.pid}) died; starting a new one in ${spareDelayMs} ms`,
    );
    setTimeout(forkSpare, spareDelayMs).unref();
  };
  /** The ready spare takes the place of worker `id` (current at once); a new spare follows once it is ready. */
  const takeSpare = (id: number): Worker | undefined => {
    const w = spare.w;
    if (!w || !spare.ready || !w.isConnected()) return undefined;
    spare.w = undefined;
    spare.ready = false;
    procs.set(w, id);
    current.set(id, w);
    bornAt.set(w, Date.now());
    w.send({ type: ACTIVATE, workerId: id } satisfies ActivateMessage);
    const onReady = (m: unknown): void => {
      if (!isTyped(m, WORKER_READY)) return;
      w.off('message', onReady);
      w.off('exit', onEarlyExit);
      forkSpare();
    };
    // Died before it was ready (onExit forks for its id): a new spare after a pause all the same.
    const onEarlyExit = (): void => {
      w.off('message', onReady);
      setTimeout(forkSpare, spareDelayMs).unref();
    };
    w.on('message', onReady);
    w.once('exit', onEarlyExit);
    return w;
  };

  const onExit = (w: Worker, code: number | null, signal: string | null): void => {
    const id = procs.get(w) ?? 0;
    const born = bornAt.get(w) ?? 0;
    procs.delete(w);
    bornAt.delete(w);
    if (id === 0) return spareDied(w, born, code, signal);
    const old = recycling.get(id);
    if (current.get(id) !== w) {
      // A recycled worker that finished draining (or died while draining): its replacement serves.
      if (old === w) recycling.delete(id);
      const how = signal ? `ended by ${signal} while draining` : 'exited after draining';
      logger.info(
        { worker: id, pid: w.process.pid, code, signal },
        `worker ${id} (pid ${w.process.pid}) recycled: ${how}`,
      );
      return;
    }
    if (stopping) return;
    if (old && !old.isDead()) {
      // The replacement died before it was ready: the old process keeps serving.
      current.set(id, old);
      recycling.delete(id);
      logger.error(
        { worker: id, code, signal },
        `the replacement of worker ${id} died before it was ready; the old process keeps serving`,
      );
      return;
    }
    current.delete(id);
    // A ready spare takes the place at once.
    const taken = takeSpare(id);
    if (taken) {
      logger.error(
        { worker: id, pid: w.process.pid, code, signal, spare: taken.process.pid },
        `worker ${id} (pid ${w.process.pid}) died; the spare worker (pid ${taken.process.pid}) takes its place`,
      );
      return;
    }
    // A killed worker (its watchdog SIGKILLs a blocked one) or one that ran a while is replaced at
    // once; one that dies right after its start waits a little, so a crash loop does not spin.
    const now = signal === 'SIGKILL' || Date.now() - born > 5000;
    logger.error(
      { worker: id, pid: w.process.pid, code, signal },
      `worker ${id} (pid ${w.process.pid}) died; starting a new one${now ? ' now' : ''}`,
    );
    const again = (): void => {
      if (!stopping && !current.has(id)) fork(id);
    };
    if (now) again();
    else setTimeout(again, 500);
  };

  // A worker past its memory ceiling: fork its replacement, and once that is ready drain the old one.
  const recycle = (id: number, w: Worker, m: RecycleRequest): void => {
    if (stopping || recycling.has(id) || current.get(id) !== w) return;
    recycling.set(id, w);
    logger.warn(
      { worker: id, pid: w.process.pid, rssMb: m.rssMb, heapMb: m.heapMb, reason: m.reason },
      `recycling worker ${id} (pid ${w.process.pid}): ${m.reason}; ${spare.ready ? 'the spare worker takes its place' : 'starting its replacement'}`,
    );
    const next = takeSpare(id) ?? fork(id);
    const onReady = (r: unknown): void => {
      if (typeof r !== 'object' || r === null || (r as { type?: string }).type !== WORKER_READY) return;
      next.off('message', onReady);
      logger.info(
        { worker: id, pid: next.process.pid, old: w.process.pid },
        `worker ${id} replacement (pid ${next.process.pid}) ready; draining the old one (pid ${w.process.pid})`,
      );
      if (w.isConnected()) w.send({ type: SHUTDOWN });
      const hard = setTimeout(() => w.isDead() || w.process.kill('SIGKILL'), config.shutdownTimeoutMs + 5000);
      hard.unref();
      w.once('exit', () => clearTimeout(hard));
    };
    next.on('message', onReady);
  };

  // Signals are handled from before the first fork: a Ctrl-C while workers start stops them cleanly.
  // The pickup watcher, once it runs (set at the end of the start).
  const pickup: { watcher?: { close(): Promise<void> } } = {};
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `server ${config.name} stopping`);
    await pickup.watcher?.close();
    const all = [...procs.keys()];
    const exits = all.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    );
    for (const w of all) if (w.isConnected()) w.send({ type: SHUTDOWN });
    const hard = setTimeout(() => {
      for (const w of all) if (!w.isDead()) w.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 5000);
    await Promise.all(exits);
    clearTimeout(hard);
    try {
      if (readFileSync(config.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(config.pidFile);
    } catch {
      /* already gone */
    }
    logger.info(`server ${config.name} stopped`);
    logger.flush();
    setTimeout(() => process.exit(EXIT.OK), 100);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  const ready = new Set<number>();
  const allReady = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('workers did not start within 60 s')), 60_000);
    cluster.on('message', (_w, m: unknown) => {
      if (typeof m === 'object' && m !== null && (m as { type?: string }).type === WORKER_READY) {
        ready.add((m as { workerId: number }).workerId);
        if (ready.size >= config.workerCount) {
          clearTimeout(t);
          resolve();
        }
      }
    });
  });
  for (let i = 1; i <= config.workerCount; i++) fork(i);
  // The ODB is opened and migrated while the workers load their code.
  try {
    const odb = await Odb.open(config.odb);
    await odb.migrate();
    await odb.close();
  } catch (e) {
    stopping = true;
    for (const w of procs.keys()) w.process.kill('SIGKILL');
    fail(EXIT.START_FAILED, `cannot open the ODB: ${e instanceof Error ? e.message : String(e)}`);
  }
  odbMigrated = true;
  for (const w of waitingForOdb) if (w.isConnected()) w.send({ type: ODB_READY });
  waitingForOdb.clear();
  try {
    await allReady;
  } catch (e) {
    stopping = true;
    for (const w of procs.keys()) w.kill();
    fail(EXIT.START_FAILED, `${e instanceof Error ? e.message : String(e)}; see ${config.logFile}`);
  }
  logger.info(
    { port: config.port, workers: config.workerCount, spare: config.watchdog.spare },
    `server ${config.name} listening on ${config.host}:${config.port}`,
  );
  forkSpare();

  // Hot deploy from the pickup directory: worker 1 validates and stores, every worker then loads.
  const deployBy1: PickupDeploy = (name, source, from) =>
    new Promise((resolve) => {
      const w = current.get(1);
      if (!w) return resolve(undefined);
      const id = ++deployId;
      const timer = setTimeout(() => {
        deployWaiters.delete(id);
        resolve(undefined);
      }, 60_000);
      deployWaiters.set(id, (r) => {
        clearTimeout(timer);
        deployWaiters.delete(id);
        resolve(r);
      });
      w.send({ type: 'wharf:deploy', id, name, source, from });
    });
  const w0 = await watchPickup(config, logger, deployBy1);
  pickup.watcher = w0;
  if (stopping) await w0.close();
}
