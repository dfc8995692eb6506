/**
 * The load-balancer agent: a small process (the environment's `load-balancer` component) that owns
 * HAProxy. It reads the LB settings (admin object `cluster.loadBalancer`) and the servers from the
 * ODB, writes haproxy.cfg, checks it with `haproxy -c`, and starts or seamlessly reloads HAProxy.
 * It follows the cluster's broker (Redis: a config change is applied within milliseconds; a
 * reconnect re-reads everything) and polls the ODB every 2 s for servers added or removed (their
 * registration is not a config change). A config HAProxy refuses is logged and the running one
 * stays. After each start or reload it admits every server the moment it answers (admit.ts), so a
 * cluster starting side by side takes traffic without waiting for HAProxy's `rise` checks.
 * SIGTERM/SIGINT: HAProxy stops softly (open connections finish), then the agent.
 */
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Odb } from '../../odb/odb.js';
import { createLogger } from '../../server/logger.js';
import { admitWhenAnswering, type Admission } from './admit.js';
import { ERROR_PAGES, errorPage, haproxyConfig, type Backend } from './haproxy-config.js';
import { checkConfig, findHaproxy, INSTALL_HINT, runningPids, startOrReload, stopHaproxy } from './haproxy.js';
import { defaultLbSettings, loadBalancerKind, type LoadBalancerSettings } from './kind.js';
import { statsSocketOf } from './prestart.js';
import { ensureLbKind, LB_KIND } from './register.js';

import type { LbConfig } from './config.js';

export { isLbDir, lbConfigSchema, LB_CONFIG_PATH, loadLbConfig, type LbConfig } from './config.js';
export { ensureLbKind, LB_KIND } from './register.js';

/** The settings the LB applies now: the ODB object, or lb.yaml's defaults when absent or inactive. */
export async function currentSettings(odb: Odb, cfg: LbConfig): Promise<LoadBalancerSettings> {
  const o = await odb.getObject(LB_KIND, cfg.settings);
  const fallback = defaultLbSettings({
    name: cfg.settings,
    frontendHost: cfg.frontendHost,
    frontendPort: cfg.frontendPort,
  });
  if (!o) return fallback;
  const parsed = loadBalancerKind.schema.safeParse(o.data);
  if (!parsed.success || !parsed.data.active) return fallback;
  return parsed.data;
}

export async function currentBackends(odb: Odb): Promise<Backend[]> {
  return (await odb.listServers()).filter((s) => s.port > 0).map((s) => ({ name: s.name, host: s.host, port: s.port }));
}

/** haproxy.cfg text for the current ODB state. */
export async function renderFor(
  odb: Odb,
  cfg: LbConfig,
): Promise<{ text: string; settings: LoadBalancerSettings; backends: Backend[] }> {
  const settings = await currentSettings(odb, cfg);
  const backends = await currentBackends(odb);
  const sock = cfg.statsSocket.length < 100 ? cfg.statsSocket : undefined;
  const text = haproxyConfig(
    settings,
    backends,
    { errorsDir: join(cfg.dir, 'errors'), statsSocket: sock, tlsPem: existsSync(cfg.tlsPem) ? cfg.tlsPem : undefined },
    `settings: ${cfg.settings}; servers: ${backends.map((b) => b.name).join(', ') || '(none)'}`,
  );
  return { text, settings, backends };
}

export function writeErrorPages(dir: string): void {
  mkdirSync(join(dir, 'errors'), { recursive: true });
  for (const status of Object.keys(ERROR_PAGES))
    writeFileSync(join(dir, 'errors', `${status}.http`), errorPage(Number(status)));
}

export async function runLbAgent(cfg: LbConfig, foreground: boolean): Promise<void> {
  ensureLbKind();
  const logger = createLogger({
    file: cfg.logFile,
    level: cfg.logLevel,
    toStdout: foreground,
    base: { component: cfg.name },
  });
  const fail = (msg: string, code = 5): never => {
    logger.error(msg);
    logger.flush();
    process.stderr.write(`wharf: ${msg}\n`);
    process.exit(code);
  };
  const bin = findHaproxy(process.env['WHARF_HAPROXY'] ?? cfg.haproxy);
  if (!bin) fail(INSTALL_HINT);
  const haproxy = bin!;
  let odb: Odb;
  try {
    odb = await Odb.open(cfg.odb);
    await odb.ping();
  } catch (e) {
    return fail(`load balancer: cannot reach the ODB: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const d of [dirname(cfg.pidFile), dirname(cfg.haproxyPidFile), dirname(cfg.statsSocket)])
    mkdirSync(d, { recursive: true });
  writeErrorPages(cfg.dir);

  let current = existsSync(cfg.configFile) ? readFileSync(cfg.configFile, 'utf8') : '';
  // HAProxy already running on haproxy.cfg: `wharf start` started it beside the servers (prestart.ts)
  // and checked that nothing else runs it; adopt it (reload only if the ODB changed meanwhile).
  let running = current !== '' && runningPids(cfg.haproxyPidFile).length > 0;
  let applying: Promise<void> | undefined;
  let again = false;
  let stopping = false;
  let admission: Admission | undefined;
  const socket = statsSocketOf(cfg);

  const admit = (backends: Backend[]): void => {
    admission?.cancel();
    if (!socket || backends.length === 0) return;
    admission = admitWhenAnswering(backends, socket, {
      onAdmit: (name) => logger.info({ server: name }, `server ${name} answers: admitted`),
      onError: (e) =>
        logger.warn(`haproxy stats socket: ${e instanceof Error ? e.message : String(e)}; its checks admit the server`),
    });
  };

  const applyOnce = async (): Promise<void> => {
    const { text, settings, backends } = await renderFor(odb, cfg);
    if (running && text === current) {
      if (!admission) {
        logger.info({ servers: backends.map((b) => `${b.name}@${b.host}:${b.port}`) }, 'haproxy adopted');
        admit(backends);
      }
      return;
    }
    const tmp = `${cfg.configFile}.new`;
    writeFileSync(tmp, text);
    const problem = await checkConfig(haproxy, tmp);
    if (problem) {
      logger.error({ problem }, `haproxy -c refused the new configuration; the running one stays`);
      unlinkSync(tmp);
      if (!running) throw new Error(`haproxy -c refused the configuration: ${problem}`);
      return;
    }
    renameSync(tmp, cfg.configFile);
    const how = await startOrReload(haproxy, cfg.configFile, cfg.haproxyPidFile, socket);
    current = text;
    running = true;
    admit(backends);
    logger.info(
      {
        frontend: `${settings.frontendHost}:${settings.frontendPort}`,
        servers: backends.map((b) => `${b.name}@${b.host}:${b.port}`),
        balance: settings.balance,
      },
      `haproxy ${how}`,
    );
  };
  const apply = (): Promise<void> => {
    if (stopping) return Promise.resolve();
    if (applying) {
      again = true;
      return applying;
    }
    applying = (async () => {
      do {
        again = false;
        await applyOnce();
      } while (again && !stopping);
    })().finally(() => (applying = undefined));
    return applying;
  };

  try {
    await apply();
    // Written once HAProxy runs (started, or adopted): `wharf start` waits for it.
    writeFileSync(cfg.pidFile, `${process.pid}\n`);
  } catch (e) {
    await odb.close();
    return fail(`load balancer: ${e instanceof Error ? e.message : String(e)}`);
  }

  // Follow the cluster: announcements (and reconnects) over Redis, a poll for the server list.
  let broker: { close(): Promise<void> } | undefined;
  if (cfg.redis) {
    try {
      // The Redis client is imported only here: the admin API imports this module too.
      const { RedisBroker } = await import('../broker/redis.js');
      const { clusterPrefix } = await import('../redis/connect.js');
      const b = await RedisBroker.connect({ ...cfg.redis, prefix: clusterPrefix(await odb.clusterName()) });
      b.subscribe(() => void apply().catch((e: unknown) => logger.error(String(e))));
      b.onReconnect(() => void apply().catch((e: unknown) => logger.error(String(e))));
      broker = b;
    } catch (e) {
      logger.warn(
        `load balancer: Redis unavailable (${e instanceof Error ? e.message : String(e)}); following the ODB by polling only`,
      );
    }
  }
  const poll = setInterval(
    () =>
      void apply().catch((e: unknown) => logger.error(`load balancer: ${e instanceof Error ? e.message : String(e)}`)),
    cfg.pollMs,
  );

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(poll);
    admission?.cancel();
    logger.info({ signal }, 'load balancer stopping');
    await applying?.catch(() => undefined);
    await stopHaproxy(cfg.haproxyPidFile);
    try {
      unlinkSync(cfg.haproxyPidFile);
    } catch {
      /* gone */
    }
    await broker?.close().catch(() => undefined);
    await odb.close().catch(() => undefined);
    try {
      if (readFileSync(cfg.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(cfg.pidFile);
    } catch {
      /* gone */
    }
    logger.info('load balancer stopped');
    logger.flush();
    setTimeout(() => process.exit(0), 100);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void apply().catch((e: unknown) => logger.error(String(e))));
  logger.info(`load balancer agent running (pid ${process.pid})`);
}
