/**
 * HAProxy started by `wharf start` itself, beside the servers, from the configuration the start
 * checks rendered and `haproxy -c` accepted; the CLI admits each server the moment it answers its
 * /wharf/ping, and the LB agent, spawned once a server answers, adopts the running HAProxy (it reloads
 * only if the ODB changed meanwhile). So the first request through HAProxy waits for neither the
 * agent's start nor HAProxy's `rise` checks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { haproxyCommand } from './admit.js';
import type { LbConfig } from './config.js';
import { BACKEND } from './haproxy-config.js';
import { startOrReload } from './haproxy.js';

/** The stats socket, when its path fits a Unix socket address. */
export function statsSocketOf(cfg: LbConfig): string | undefined {
  return cfg.statsSocket.length < 100 ? cfg.statsSocket : undefined;
}

/**
 * Starts HAProxy on `text`, then marks `servers` (their names in haproxy.cfg) down: HAProxy 2.6 starts
 * a server up until its first check fails, and a request sent to one that does not listen yet would
 * wait for retries; down, it takes no request until admitted (by `admitServer`, or by its checks).
 */
export async function prestartHaproxy(cfg: LbConfig, text: string, bin: string, servers: string[]): Promise<void> {
  for (const f of [cfg.configFile, cfg.haproxyPidFile, cfg.statsSocket]) mkdirSync(dirname(f), { recursive: true });
  writeFileSync(cfg.configFile, text);
  const socket = statsSocketOf(cfg);
  await startOrReload(bin, cfg.configFile, cfg.haproxyPidFile, socket);
  if (socket && servers.length > 0)
    await haproxyCommand(socket, servers.map((n) => `set server ${BACKEND}/${n} health down`).join('; ')).catch(
      () => undefined,
    );
}

/** `set server wharf_servers/NAME health up`; false when the stats socket did not take it. */
export async function admitServer(cfg: LbConfig, haproxyName: string): Promise<boolean> {
  const socket = statsSocketOf(cfg);
  if (!socket) return false;
  try {
    const answer = await haproxyCommand(socket, `set server ${BACKEND}/${haproxyName} health up`);
    return answer === '';
  } catch {
    return false;
  }
}
