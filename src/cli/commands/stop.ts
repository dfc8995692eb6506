/**
 * `wharf stop ENV [--server NAME | --component NAME]`: the web admin first, then the load balancer
 * (no new traffic, open connections finish), then the servers: SIGTERM, wait for a graceful stop,
 * SIGKILL after the timeout. A supervised server's supervisor is stopped first (it stops its
 * primary gracefully and restarts nothing), then whatever primary is left.
 */
import { stopHaproxy, runningPids } from '../../cluster/lb/haproxy.js';
import { isWebAdminName, openEnv, selectedServers, selectsLb, selectsWebAdmin } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { isAlive, readPidfile, removePidfile } from './pidfile.js';
import { webAdminPidFile } from './start-web-admin.js';
import { supervisorPidFile } from './supervise.js';

async function terminate(pid: number, timeoutMs: number): Promise<boolean> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!isAlive(pid)) return true;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* not a group leader */
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return false;
}

export async function stop(
  path: string,
  opts: { server?: string; component?: string; timeoutMs?: number; out?: (l: string) => void } = {},
): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const env = openEnv(path);
  const lbName = env.lb?.name ?? 'load-balancer';
  const waOnly = isWebAdminName(env, opts.component);
  const lbOnly = !waOnly && (opts.component === lbName || opts.component === 'load-balancer');
  const serverName = opts.server ?? (opts.component && !lbOnly && !waOnly ? opts.component : undefined);
  const servers = lbOnly || waOnly ? [] : selectedServers(env, serverName);
  const withLb = waOnly ? false : lbOnly ? Boolean(env.lb) : selectsLb(env, serverName);
  const withWa = waOnly ? Boolean(env.webAdmin) : lbOnly ? false : selectsWebAdmin(env, serverName);
  if (servers.length === 0 && !withLb && !withWa)
    throw new CliError(`no component ${opts.component ?? opts.server ?? ''} in ${env.dir}`, EXIT.NOT_FOUND);
  let stopped = 0;

  if (withWa && env.webAdmin) {
    const w = env.webAdmin;
    const pidFile = webAdminPidFile(w);
    const pid = readPidfile(pidFile);
    if (pid.state === 'live') {
      const graceful = await terminate(pid.pid, opts.timeoutMs ?? 10_000);
      out(graceful ? `${w.name} stopped` : `${w.name} did not stop in time; killed`);
      removePidfile(pidFile);
      stopped++;
    } else {
      if (pid.state === 'stale') removePidfile(pidFile);
      out(`${w.name} is not running`);
    }
  }

  if (withLb && env.lb) {
    const lb = env.lb;
    const agent = readPidfile(lb.pidFile);
    let did = false;
    if (agent.state === 'live') {
      const graceful = await terminate(agent.pid, opts.timeoutMs ?? 20_000);
      did = true;
      if (!graceful) out(`${lb.name} agent did not stop in time; killed`);
    } else if (agent.state === 'stale') removePidfile(lb.pidFile);
    // HAProxy left behind (agent killed): stop it softly too.
    if (runningPids(lb.haproxyPidFile).length > 0) {
      await stopHaproxy(lb.haproxyPidFile, opts.timeoutMs ?? 10_000);
      did = true;
    }
    removePidfile(lb.pidFile);
    removePidfile(lb.haproxyPidFile);
    if (did) {
      out(`${lb.name} stopped`);
      stopped++;
    } else out(`${lb.name} is not running`);
  }

  // Servers side by side (each drains its own in-flight requests within its shutdownTimeoutMs).
  const stopServer = async (s: (typeof servers)[number]): Promise<void> => {
    // A supervisor first, so nothing restarts: it stops its primary gracefully and exits.
    const supFile = supervisorPidFile(s);
    const sup = readPidfile(supFile);
    let supervised = false;
    if (sup.state === 'live') {
      const graceful = await terminate(sup.pid, opts.timeoutMs ?? s.shutdownTimeoutMs + 15_000);
      if (!graceful) out(`${s.name}: its supervisor did not stop in time; killed`);
      supervised = true;
    }
    removePidfile(supFile);
    const pid = readPidfile(s.pidFile);
    if (supervised && pid.state !== 'live') {
      if (pid.state === 'stale') removePidfile(s.pidFile);
      out(`${s.name} stopped (and its supervisor)`);
      stopped++;
      return;
    }
    if (pid.state !== 'live') {
      if (pid.state === 'stale') removePidfile(s.pidFile);
      out(`${s.name} is not running`);
      return;
    }
    const graceful = await terminate(pid.pid, opts.timeoutMs ?? s.shutdownTimeoutMs + 10_000);
    out(graceful ? `${s.name} stopped` : `${s.name} did not stop in time; killed`);
    removePidfile(s.pidFile);
    stopped++;
  };
  await Promise.all([...servers].reverse().map(stopServer));
  if (stopped === 0) throw new CliError(`nothing was running in ${env.dir}`, EXIT.NOT_RUNNING);
}
