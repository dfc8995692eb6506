/**
 * Runs the web admin: binds, writes the pidfile, stops gracefully on SIGTERM/SIGINT (open requests
 * get 5 s), and removes the pidfile. Used by main.ts and by `wharf start ENV --fg --component web-admin`.
 */
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createApp } from './app.js';
import { Assets } from './assets.js';
import { readTls, type WebAdminConfig } from './config.js';
import { createLog, type Log } from './log.js';
import { SessionStore } from './sessions.js';
import { createUpstream } from './upstream.js';

export const EXIT_PORT_IN_USE = 3;
export const EXIT_ALREADY_RUNNING = 4;
export const EXIT_START_FAILED = 5;

export class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface Running {
  server: Server;
  url: string;
  log: Log;
  close(): Promise<void>;
}

function livePid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  try {
    return /wharf|web-admin/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')) ? pid : undefined;
  } catch {
    return pid;
  }
}

export function urlOf(cfg: WebAdminConfig, port = cfg.port): string {
  const host =
    cfg.host === '0.0.0.0'
      ? '127.0.0.1'
      : cfg.host === '::'
        ? '[::1]'
        : cfg.host.includes(':')
          ? `[${cfg.host}]`
          : cfg.host;
  return `${cfg.tls ? 'https' : 'http'}://${host}:${port}`;
}

/** Starts the web admin; rejects with StartError (exit code inside) when it cannot. */
export async function startWebAdmin(
  cfg: WebAdminConfig,
  opts: { stdoutLog: boolean; signals?: boolean; publicDir?: string },
): Promise<Running> {
  if (cfg.pidFile) {
    const pid = livePid(cfg.pidFile);
    if (pid)
      throw new StartError(`${cfg.name} is already running (pid ${pid}, pidfile ${cfg.pidFile})`, EXIT_ALREADY_RUNNING);
  }
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (cfg.tls) {
    try {
      tls = readTls(cfg.tls);
    } catch (e) {
      throw new StartError(
        `${cfg.name}: cannot read the TLS certificate or key: ${(e as Error).message}`,
        EXIT_START_FAILED,
      );
    }
  }
  const log = createLog({ file: cfg.logFile, stdout: opts.stdoutLog });
  const upstream = createUpstream(cfg.adminUrl, { ca: cfg.adminCa });
  const sessions = new SessionStore(cfg.idleSeconds * 1000, cfg.maxSessions);
  const handler = createApp({
    config: cfg,
    upstream,
    sessions,
    assets: new Assets(opts.publicDir),
    log,
    secure: Boolean(tls),
  });
  const server: Server = tls ? (createHttps({ ...tls }, handler) as unknown as Server) : createHttp(handler);
  server.requestTimeout = 120_000;
  server.headersTimeout = 20_000;
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE')
        reject(
          new StartError(
            `${cfg.name}: port ${cfg.host}:${cfg.port} is in use; choose another port (--port, or port: in web-admin.yaml)`,
            EXIT_PORT_IN_USE,
          ),
        );
      else if (e.code === 'EACCES')
        reject(new StartError(`${cfg.name}: not allowed to listen on ${cfg.host}:${cfg.port}`, EXIT_PORT_IN_USE));
      else
        reject(
          new StartError(`${cfg.name}: cannot listen on ${cfg.host}:${cfg.port}: ${e.message}`, EXIT_START_FAILED),
        );
    });
    server.listen(cfg.port, cfg.host, () => resolve());
  }).catch(async (e) => {
    upstream.close();
    await log.close();
    throw e;
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const url = urlOf(cfg, port);
  if (cfg.pidFile) {
    mkdirSync(dirname(cfg.pidFile), { recursive: true });
    writeFileSync(cfg.pidFile, `${process.pid}\n`);
  }
  const sweeper = setInterval(() => sessions.sweep(), 60_000);
  sweeper.unref();
  log('info', 'web admin started', { name: cfg.name, url, adminUrl: upstream.url, pid: process.pid });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      log('info', 'web admin stopping', { name: cfg.name });
      clearInterval(sweeper);
      const done = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await done;
      clearTimeout(force);
      upstream.close();
      if (cfg.pidFile) {
        try {
          if (readFileSync(cfg.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(cfg.pidFile);
        } catch {
          /* gone */
        }
      }
      log('info', 'web admin stopped', { name: cfg.name });
      await log.close();
    })());

  if (opts.signals !== false) {
    const onSignal = (): void => {
      void close().then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { server, url, log, close };
}
