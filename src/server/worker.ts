/**
 * A worker process: the runtime (config, services, connectors) behind an HTTP server that shares
 * the server's port with its sibling workers (node:cluster). Stops gracefully: no new connections,
 * in-flight requests finish (bounded by shutdownTimeoutMs), connectors stop, the ODB closes.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createAdminHandler } from '../admin/http.js';
import { deployModule } from '../admin/service-ops.js';
import { createRequestListener } from '../channels/http/handler.js';
import { httpRouter } from '../channels/http/router.js';
import { IpcBroker } from '../cluster/broker/ipc.js';
import type { Broker } from '../cluster/broker/types.js';
import { registerBuiltinKinds } from '../kinds.js';
import { Odb } from '../odb/odb.js';
import type { ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { isDeployRequest, type DeployReply, WORKER_READY, SHUTDOWN } from './ipc.js';
import { WorkerRuntime } from './runtime.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function createBroker(config: ServerConfig): Promise<Broker> {
  if (config.broker.type === 'ipc') return new IpcBroker();
  const { RedisBroker } = await import('../cluster/broker/redis.js');
  return RedisBroker.connect(config.broker);
}

export async function runWorker(config: ServerConfig, workerId: number, foreground: boolean): Promise<void> {
  registerBuiltinKinds();
  const logger = createLogger({ file: config.logFile, level: config.logLevel, toStdout: foreground, base: { server: config.name, worker: workerId } });
  const odb = await Odb.open(config.odb);
  const broker = await createBroker(config);
  const api = (await import('../index.js')) as object;
  const rt = new WorkerRuntime({ config, odb, broker, logger, workerId, api, resolveFrom: PACKAGE_ROOT });
  await rt.start();
  const startedAt = Date.now();
  let stopping = false;

  const admin = createAdminHandler({
    rt,
    publish: (v) => broker.publish(v),
    info: () => ({ server: config.name, host: config.host, port: config.port, pid: process.ppid, workerPid: process.pid, worker: workerId, workers: config.workerCount, uptimeMs: Date.now() - startedAt }),
  });
  const server: Server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 60_000, requestTimeout: 0 }, createRequestListener({ router: httpRouter, logger: rt.log, internal: admin, isStopping: () => stopping }));
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":{"code":"WHARF_ERR_BAD_REQUEST","message":"Malformed HTTP request"}}');
    else socket.destroy();
    logger.debug({ err: err.message }, 'client error');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });

  const report = async (): Promise<void> => {
    if (workerId !== 1) return;
    await odb
      .reportServer({ name: config.name, host: config.host, port: config.port, pid: process.ppid, configVersion: rt.version, moduleHashes: rt.moduleHashes(), lastSeen: new Date().toISOString() })
      .catch((e: unknown) => logger.warn({ err: String(e) }, 'cannot report server status'));
  };
  await report();
  const reporter = setInterval(() => void report(), 5000);
  reporter.unref();

  // The primary asks worker 1 to deploy files from the pickup directory.
  process.on('message', (m: unknown) => {
    if (isDeployRequest(m)) {
      deployModule(rt, (v) => broker.publish(v), m.name, m.source, m.from).then(
        (r) => process.send?.({ type: 'wharf:deploy-reply', id: m.id, ok: true, result: r } satisfies DeployReply),
        (e: unknown) => process.send?.({ type: 'wharf:deploy-reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies DeployReply),
      );
    } else if (typeof m === 'object' && m !== null && (m as { type?: string }).type === SHUTDOWN) {
      void shutdown();
    }
  });

  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    clearInterval(reporter);
    logger.info('worker stopping: draining in-flight requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
    await Promise.race([closed, deadline]);
    clearInterval(idle);
    server.closeAllConnections();
    await rt.stop();
    await broker.close();
    await odb.close();
    logger.info('worker stopped');
    logger.flush();
    setTimeout(() => process.exit(0), 50).unref();
  }
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => {
    /* the primary coordinates Ctrl-C */
  });
  process.send?.({ type: WORKER_READY, workerId });
  logger.info({ port: config.port, version: rt.version }, 'worker ready');
}
