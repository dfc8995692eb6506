/** `wharf stop ENV [--server NAME]`: SIGTERM, wait for a graceful stop, SIGKILL after the timeout. */
import { openEnv } from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { isAlive, readPidfile, removePidfile } from './pidfile.js';

export async function stop(path: string, opts: { server?: string; timeoutMs?: number; out?: (l: string) => void } = {}): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const env = openEnv(path);
  const servers = opts.server ? env.servers.filter((s) => s.name === opts.server) : env.servers;
  let stopped = 0;
  for (const s of [...servers].reverse()) {
    const pid = readPidfile(s.pidFile);
    if (pid.state !== 'live') {
      if (pid.state === 'stale') removePidfile(s.pidFile);
      out(`${s.name} is not running`);
      continue;
    }
    process.kill(pid.pid, 'SIGTERM');
    const deadline = Date.now() + (opts.timeoutMs ?? s.shutdownTimeoutMs + 10_000);
    while (isAlive(pid.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid.pid)) {
      process.kill(-pid.pid, 'SIGKILL');
      process.kill(pid.pid, 'SIGKILL');
      out(`${s.name} did not stop in time; killed`);
    } else out(`${s.name} stopped`);
    removePidfile(s.pidFile);
    stopped++;
  }
  if (stopped === 0) throw new CliError(`nothing was running in ${env.dir}`, EXIT.NOT_RUNNING);
}
