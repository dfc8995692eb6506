/**
 * `wharf start ENV [--fg] [--supervise] [--server NAME | --component NAME]`: checks first, then starts each
 * component detached and waits until it answers, or runs one component in the foreground (Ctrl-C
 * stops it cleanly). --supervise runs each server under a supervisor that restarts a dead primary
 * (supervise.ts). Every start first checks the environment's file modes (permissions.ts).
 *
 * Checks, all before anything starts (fail fast, distinct exit codes): live/stale pidfiles, ports
 * free (naming the holder), the secret key, the ODB (ping), in a cluster Redis (ping + version, at
 * least 6.2 for XAUTOCLAIM) and the load balancer (HAProxy installed — never installed here — and
 * `haproxy -c` on the configuration generated from the ODB), the web admin's pidfile and port.
 * The network checks (ODB, Redis, HAProxy, ports) run side by side, reported in a fixed order. Then,
 * in a cluster: HAProxy at once (from the configuration just checked, lb/prestart.ts), the servers
 * side by side, each admitted into HAProxy over its stats socket the moment it answers /wharf/ping;
 * the LB agent once a server answers (it adopts that HAProxy), the web admin (start-web-admin.ts)
 * once every server answers. A cluster's start returns once a request through HAProxy is answered.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdtempSync,
} from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { LbConfig } from '../../cluster/lb/agent.js';
import { checkConfig, findHaproxy, haproxyVersion, INSTALL_HINT, runningPids } from '../../cluster/lb/haproxy.js';
import { describeOdb } from '../../odb/dialect.js';
import { Odb } from '../../odb/odb.js';
import type { ServerConfig } from '../../server/config.js';
import { checkPortFree } from '../../server/ports.js';
import {
  isWebAdminName,
  openEnv,
  selectedServers,
  selectsLb,
  selectsWebAdmin,
  WEB_ADMIN_COMPONENT,
  type Env,
} from '../env.js';
import { CliError, EXIT } from '../exit.js';
import { describeFix, secureEnv } from './permissions.js';
import { readPidfile, removePidfile } from './pidfile.js';
import { SUPERVISED_BY, supervisorPidFile } from './supervise.js';
import { preflightWebAdmin, runWebAdminFg, startWebAdminDetached } from './start-web-admin.js';
import { BIN, distEntry } from '../../paths.js';

/** A detached server's primary: its own small entry point (the checks ran here already). */
const PRIMARY_MAIN = distEntry('server/primary-main.js');
/** A detached load-balancer agent: its own entry point too. */
const LB_AGENT_MAIN = distEntry('cluster/lb/lb-agent-main.js');
export const MIN_REDIS = '6.2.0';

export interface StartOptions {
  fg?: boolean;
  server?: string;
  /** A server name, `load-balancer` or `web-admin`. */
  component?: string;
  timeoutMs?: number;
  /** Each server under a supervisor that restarts a dead primary (see supervise.ts). */
  supervise?: boolean;
  out?: (l: string) => void;
  /** Warnings (file modes fixed); default stderr. */
  warn?: (l: string) => void;
}

async function pingOdb(s: ServerConfig | LbConfig, who: string): Promise<void> {
  try {
    const odb = await Odb.open(s.odb);
    try {
      await odb.ping();
    } finally {
      await odb.close();
    }
  } catch (e) {
    throw new CliError(
      `${who}: cannot reach the ODB ${describeOdb(s.odb)}: ${e instanceof Error ? e.message : String(e)}`,
      EXIT.START_FAILED,
    );
  }
}

/** A server's own checks: pidfiles (its primary's, its supervisor's), its port, its secret key. */
async function preflightLocal(s: ServerConfig, out: (l: string) => void): Promise<void> {
  const pid = readPidfile(s.pidFile);
  if (pid.state === 'live')
    throw new CliError(`${s.name} is already running (pid ${pid.pid}, pidfile ${s.pidFile})`, EXIT.ALREADY_RUNNING);
  if (pid.state === 'stale') {
    removePidfile(s.pidFile);
    out(`${s.name}: removed a stale pidfile (pid ${pid.pid} is not running)`);
  }
  const sup = readPidfile(supervisorPidFile(s));
  if (sup.state === 'live' && String(sup.pid) !== process.env[SUPERVISED_BY])
    throw new CliError(
      `${s.name} is supervised by pid ${sup.pid} (pidfile ${supervisorPidFile(s)}); stop it with \`wharf stop ENV\``,
      EXIT.ALREADY_RUNNING,
    );
  if (sup.state === 'stale') removePidfile(supervisorPidFile(s));
  const busy = await checkPortFree(s.host, s.port);
  if (busy)
    throw new CliError(
      `${s.name}: port ${s.host}:${s.port} is in use${busy === true ? '' : ` by ${busy}`}`,
      EXIT.PORT_IN_USE,
    );
  if (!existsSync(s.secretKeyFile))
    throw new CliError(`${s.name}: secret key ${s.secretKeyFile} is missing`, EXIT.START_FAILED);
}

async function checkOdb(s: ServerConfig, out: (l: string) => void): Promise<void> {
  await pingOdb(s, s.name);
  if (s.odb.type !== 'sqlite') out(`ODB ${describeOdb(s.odb)}: reachable`);
}

async function checkRedis(s: ServerConfig, out: (l: string) => void): Promise<void> {
  if (s.broker.type !== 'redis') return;
  // Imported here: only a cluster's start needs the Redis client.
  const { pingRedis, versionAtLeast } = await import('../../cluster/redis/connect.js');
  let version: string;
  try {
    ({ version } = await pingRedis(s.broker));
  } catch (e) {
    throw new CliError(
      `${s.name}: cannot reach Redis at ${s.broker.host}:${s.broker.port}: ${e instanceof Error ? e.message : String(e)}`,
      EXIT.START_FAILED,
    );
  }
  if (!versionAtLeast(version, MIN_REDIS))
    throw new CliError(
      `${s.name}: Redis at ${s.broker.host}:${s.broker.port} is ${version}; Wharf needs ${MIN_REDIS} or newer (XAUTOCLAIM)`,
      EXIT.START_FAILED,
    );
  out(`Redis ${s.broker.host}:${s.broker.port}: PONG, version ${version}`);
}

/** Every check of one server, in order (the foreground start). */
async function preflight(s: ServerConfig, out: (l: string) => void): Promise<void> {
  await preflightLocal(s, out);
  await checkOdb(s, out);
  await checkRedis(s, out);
}

/**
 * Checks that wait on something else (the ODB, Redis, HAProxy, ports) run side by side; their
 * lines are printed, and the first failure thrown, in the order of `tasks` — as if they had run
 * one after another, which they did until they became the slow part of a cluster's start.
 */
async function inOrder(
  tasks: ((out: (l: string) => void) => Promise<unknown>)[],
  out: (l: string) => void,
): Promise<void> {
  const lines = tasks.map(() => [] as string[]);
  const settled = await Promise.allSettled(tasks.map((t, i) => t((l) => lines[i]!.push(l))));
  for (const [i, r] of settled.entries()) {
    for (const l of lines[i]!) out(l);
    if (r.status === 'rejected') throw r.reason;
  }
}

interface LbPreflight {
  /** The frontend HAProxy will listen on. */
  host: string;
  port: number;
  tlsPort?: number | undefined;
  /** haproxy.cfg as checked, the haproxy binary, each server's name in it. */
  text: string;
  bin: string;
  haproxyNames: Map<string, string>;
}

/** Load-balancer checks; returns the frontend it will listen on and the configuration it checked. */
async function preflightLb(
  lb: LbConfig,
  out: (l: string) => void,
  /** The servers' checks ping this ODB already. */
  odbChecked = false,
): Promise<LbPreflight> {
  const agent = readPidfile(lb.pidFile);
  if (agent.state === 'live')
    throw new CliError(`${lb.name} is already running (pid ${agent.pid}, pidfile ${lb.pidFile})`, EXIT.ALREADY_RUNNING);
  if (agent.state === 'stale') {
    removePidfile(lb.pidFile);
    out(`${lb.name}: removed a stale pidfile (pid ${agent.pid} is not running)`);
  }
  const haproxyPids = runningPids(lb.haproxyPidFile);
  if (haproxyPids.length > 0)
    throw new CliError(
      `${lb.name}: HAProxy is already running (pid ${haproxyPids.join(', ')}) without its agent; stop it with \`wharf stop ENV --component load-balancer\``,
      EXIT.ALREADY_RUNNING,
    );
  if (existsSync(lb.haproxyPidFile)) removePidfile(lb.haproxyPidFile);
  const bin = findHaproxy(process.env['WHARF_HAPROXY'] ?? lb.haproxy);
  if (!bin) throw new CliError(`${lb.name}: ${INSTALL_HINT}`, EXIT.START_FAILED);
  if (!odbChecked) await pingOdb(lb, lb.name);
  const { renderFor, writeErrorPages } = await import('../../cluster/lb/agent.js');
  const odb = await Odb.open(lb.odb);
  let rendered: Awaited<ReturnType<typeof renderFor>>;
  try {
    rendered = await renderFor(odb, lb);
  } finally {
    await odb.close();
  }
  const { settings } = rendered;
  for (const port of [settings.frontendPort, ...(settings.tlsPort ? [settings.tlsPort] : [])]) {
    const busy = await checkPortFree(settings.frontendHost, port);
    if (busy)
      throw new CliError(
        `${lb.name}: port ${settings.frontendHost}:${port} is in use${busy === true ? '' : ` by ${busy}`}`,
        EXIT.PORT_IN_USE,
      );
  }
  // haproxy -c on exactly what the agent will write.
  writeErrorPages(lb.dir);
  const tmp = mkdtempSync(join(tmpdir(), 'wharf-haproxy-'));
  try {
    const f = join(tmp, 'haproxy.cfg');
    writeFileSync(f, rendered.text);
    const problem = await checkConfig(bin, f);
    if (problem)
      throw new CliError(`${lb.name}: haproxy -c refused the generated configuration:\n${problem}`, EXIT.START_FAILED);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  out(
    `HAProxy ${haproxyVersion(bin) ?? ''} (${bin}): configuration valid, ${rendered.backends.length} server(s)`.replace(
      '  ',
      ' ',
    ),
  );
  const { serverNames } = await import('../../cluster/lb/haproxy-config.js');
  const names = serverNames(rendered.backends);
  return {
    host: settings.frontendHost,
    port: settings.frontendPort,
    tlsPort: settings.tlsPort,
    text: rendered.text,
    bin,
    haproxyNames: new Map(rendered.backends.map((b, i) => [b.name, names[i]!])),
  };
}

/**
 * GET /wharf/ping with node:http (no fetch/undici to load in the CLI); true on a 2xx. On a load
 * balancer's frontend: a server answered through HAProxy.
 */
function ping(s: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(
      {
        host: s.host === '0.0.0.0' ? '127.0.0.1' : s.host,
        port: s.port,
        path: '/wharf/ping',
        agent: false,
        timeout: 1000,
      },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect({ host: host === '0.0.0.0' ? '127.0.0.1' : host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function tail(file: string, bytes = 4000): string {
  try {
    const size = statSync(file).size;
    return readFileSync(file, 'utf8').slice(Math.max(0, size - bytes));
  } catch {
    return '';
  }
}

function spawnDetached(
  dir: string,
  logFile: string,
  args: string[] = ['start', dir, '--fg', '--quiet'],
  entry = BIN,
): { pid: number | undefined; exited: () => number | null | undefined; consoleLog: string } {
  const consoleLog = join(dirname(logFile), 'console.log');
  mkdirSync(dirname(consoleLog), { recursive: true });
  const fd = openSync(consoleLog, 'a');
  const child = spawn(process.execPath, [entry, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  return { pid: child.pid, exited: () => exited, consoleLog };
}

async function startDetached(
  s: ServerConfig,
  timeoutMs: number,
  out: (l: string) => void,
  supervisedIn?: string,
  /** Told the moment the server answers (before the line is printed). */
  onUp?: () => Promise<unknown>,
): Promise<void> {
  const child = supervisedIn
    ? spawnDetached(s.dir, s.logFile, ['start', supervisedIn, '--fg', '--supervise', '--server', s.name, '--quiet'])
    : spawnDetached(s.dir, s.logFile, [s.dir], PRIMARY_MAIN);
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const exited = child.exited();
    if (exited !== undefined) {
      const code = exited === EXIT.PORT_IN_USE ? EXIT.PORT_IN_USE : EXIT.START_FAILED;
      throw new CliError(`${s.name} failed to start (exit ${exited}):\n${tail(child.consoleLog).trim()}`, code);
    }
    if (await ping(s)) {
      const primary = readPidfile(s.pidFile);
      if (supervisedIn && primary.state !== 'live') {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      await onUp?.();
      const pid = supervisedIn && primary.state === 'live' ? primary.pid : child.pid;
      out(
        `${s.name} started (pid ${pid}${supervisedIn ? `, supervised by pid ${child.pid}` : ''}) on http://${s.host}:${s.port}, ${Date.now() - started} ms`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new CliError(
    `${s.name} did not answer /wharf/ping within ${timeoutMs} ms; see ${s.logFile}`,
    EXIT.START_FAILED,
  );
}

/**
 * Spawns the LB agent and waits for HAProxy's frontend. `servers`: the starts of the servers it
 * fronts, running side by side — then it waits until a request through HAProxy is answered 200
 * (the agent admits each server the moment it answers), or until a server's start failed.
 */
async function startLbDetached(
  lb: LbConfig,
  frontend: { host: string; port: number },
  timeoutMs: number,
  out: (l: string) => void,
  servers?: Promise<PromiseSettledResult<void>[]>,
): Promise<void> {
  let serversFailed = false;
  void servers?.then((r) => (serversFailed = r.some((x) => x.status === 'rejected')));
  const child = spawnDetached(lb.dir, lb.logFile, [lb.dir], LB_AGENT_MAIN);
  const started = Date.now();
  let listening = false;
  while (Date.now() - started < timeoutMs) {
    const exited = child.exited();
    if (exited !== undefined)
      throw new CliError(
        `${lb.name} failed to start (exit ${exited}):\n${tail(child.consoleLog).trim()}`,
        EXIT.START_FAILED,
      );
    const pids = runningPids(lb.haproxyPidFile);
    const agent = readPidfile(lb.pidFile);
    listening ||=
      agent.state === 'live' &&
      agent.pid === child.pid &&
      pids.length > 0 &&
      (await tcpOpen(frontend.host, frontend.port));
    if (listening && (!servers || serversFailed || (await ping(frontend)))) {
      out(
        `${lb.name} started (agent pid ${child.pid}, haproxy pid ${pids.join(', ')}) on http://${frontend.host}:${frontend.port}${servers && !serversFailed ? ', answering through HAProxy' : ''}, ${Date.now() - started} ms`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new CliError(
    listening
      ? `${lb.name}: no server answered through ${frontend.host}:${frontend.port} within ${timeoutMs} ms; see ${lb.logFile}`
      : `${lb.name} did not open ${frontend.host}:${frontend.port} within ${timeoutMs} ms; see ${lb.logFile}`,
    EXIT.START_FAILED,
  );
}

export async function start(path: string, opts: StartOptions = {}): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const env: Env = openEnv(path);
  const lbName = env.lb?.name ?? 'load-balancer';
  const waName = env.webAdmin?.name ?? WEB_ADMIN_COMPONENT;
  const wantsWaOnly = isWebAdminName(env, opts.component);
  const wantsLbOnly = !wantsWaOnly && (opts.component === lbName || opts.component === 'load-balancer');
  const serverName = opts.server ?? (opts.component && !wantsLbOnly && !wantsWaOnly ? opts.component : undefined);
  const servers = wantsLbOnly || wantsWaOnly ? [] : selectedServers(env, serverName);
  const withLb = wantsWaOnly ? false : wantsLbOnly ? Boolean(env.lb) : selectsLb(env, serverName);
  // The web admin: when asked for by name or directory; in the foreground only then (--fg on an
  // environment with one server still runs that server).
  const waExplicit = wantsWaOnly || env.only?.webAdmin === true;
  const withWa = wantsWaOnly
    ? Boolean(env.webAdmin)
    : wantsLbOnly
      ? false
      : opts.fg
        ? waExplicit && Boolean(env.webAdmin)
        : selectsWebAdmin(env, serverName);
  if (servers.length === 0 && !withLb && !withWa)
    throw new CliError(`no component ${opts.component ?? opts.server ?? ''} in ${env.dir}`, EXIT.NOT_FOUND);
  const warn = opts.warn ?? ((l: string) => process.stderr.write(`wharf: warning: ${l}\n`));
  // File modes: the environment 0700, secrets and the SQLite ODB 0600; fix and say so.
  for (const f of secureEnv(
    env.dir,
    env.servers.flatMap((x) => (x.odb.type === 'sqlite' ? [x.odb.path] : [])),
  ))
    warn(describeFix(f));
  if (opts.fg) {
    if (servers.length + (withLb ? 1 : 0) + (withWa ? 1 : 0) > 1) {
      const names = [...servers.map((s) => s.name), ...(withLb ? [lbName] : []), ...(env.webAdmin ? [waName] : [])];
      throw new CliError(
        `--fg runs one component: add --server ${servers.map((s) => s.name).join('|')}${withLb ? ` or --component ${lbName}` : ''}${env.webAdmin ? ` or --component ${waName}` : ''} (or give its directory); components: ${names.join(', ')}`,
        EXIT.USAGE,
      );
    }
    if (withWa) {
      await preflightWebAdmin(env.webAdmin!, out);
      await runWebAdminFg(env.webAdmin!, out);
      return;
    }
    if (withLb) {
      await preflightLb(env.lb!, out);
      const { runLbAgent } = await import('../../cluster/lb/agent.js');
      await runLbAgent(env.lb!, true);
      return;
    }
    const s = servers[0]!;
    if (opts.supervise) {
      await preflight(s, out);
      const { runSupervisor } = await import('./supervise.js');
      process.exitCode = await runSupervisor(env.dir, s);
      return;
    }
    await preflight(s, out);
    const { runPrimary } = await import('../../server/primary.js');
    await runPrimary(s, true);
    return;
  }
  // Each server's own checks, then what waits on the network side by side: the ODB and Redis (once
  // each), the load balancer (HAProxy, its ports, haproxy -c), the web admin.
  for (const s of servers) await preflightLocal(s, out);
  const odbs = new Map(servers.map((s) => [describeOdb(s.odb), s] as const));
  const redises = new Map(
    servers.flatMap((s) => (s.broker.type === 'redis' ? [[`${s.broker.host}:${s.broker.port}`, s] as const] : [])),
  );
  let frontend: Awaited<ReturnType<typeof preflightLb>> | undefined;
  await inOrder(
    [
      ...[...odbs.values()].map((s) => (o: (l: string) => void) => checkOdb(s, o)),
      ...[...redises.values()].map((s) => (o: (l: string) => void) => checkRedis(s, o)),
      ...(withLb
        ? [
            async (o: (l: string) => void) =>
              (frontend = await preflightLb(env.lb!, o, odbs.has(describeOdb(env.lb!.odb)))),
          ]
        : []),
      ...(withWa ? [(o: (l: string) => void) => preflightWebAdmin(env.webAdmin!, o)] : []),
    ],
    out,
  );
  // Everything starts side by side. In a cluster HAProxy first (from the configuration just checked),
  // then the servers, each admitted into HAProxy the moment it answers its /wharf/ping; the LB agent
  // once a server answers (it adopts the running HAProxy; started sooner, it would take CPU from the
  // servers' start on a small machine); the web admin once the servers answer. A cluster's start
  // returns once a request through HAProxy is answered 200.
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const lb = withLb && frontend ? { cfg: env.lb!, frontend } : undefined;
  const early = lb && servers.length > 0 ? await import('../../cluster/lb/prestart.js') : undefined;
  if (lb && early) {
    try {
      await early.prestartHaproxy(lb.cfg, lb.frontend.text, lb.frontend.bin, [...lb.frontend.haproxyNames.values()]);
    } catch (e) {
      throw new CliError(`${lb.cfg.name}: ${e instanceof Error ? e.message : String(e)}`, EXIT.START_FAILED);
    }
  }
  let firstUp = (): void => undefined;
  const anyUp = new Promise<void>((r) => (firstUp = r));
  const serversUp = Promise.allSettled(
    servers.map((s) =>
      startDetached(s, timeoutMs, out, opts.supervise ? env.dir : undefined, async () => {
        const name = lb?.frontend.haproxyNames.get(s.name);
        if (lb && early && name) await early.admitServer(lb.cfg, name);
        firstUp();
      }),
    ),
  );
  const lbUp = lb
    ? early
      ? Promise.race([anyUp, serversUp]).then(async () => {
          const up = await Promise.race([
            anyUp.then(() => true),
            serversUp.then((r) => r.some((x) => x.status === 'fulfilled')),
          ]);
          if (!up) {
            // No server started: HAProxy goes too (as if it had not been started).
            const { stopHaproxy } = await import('../../cluster/lb/haproxy.js');
            await stopHaproxy(lb.cfg.haproxyPidFile);
            removePidfile(lb.cfg.haproxyPidFile);
            return;
          }
          return startLbDetached(lb.cfg, lb.frontend, timeoutMs, out, serversUp);
        })
      : startLbDetached(lb.cfg, lb.frontend, timeoutMs, out)
    : undefined;
  const waUp = withWa
    ? serversUp.then((r) =>
        r.every((x) => x.status === 'fulfilled')
          ? startWebAdminDetached(env.webAdmin!, opts.timeoutMs ?? 30_000, out)
          : undefined,
      )
    : undefined;
  const [results, lbResult, waResult] = await Promise.allSettled([serversUp, lbUp, waUp]);
  const failed = [...(results.status === 'fulfilled' ? results.value : []), lbResult, waResult].find(
    (r): r is PromiseRejectedResult => r.status === 'rejected',
  );
  if (failed) throw failed.reason;
}

export function serverDirFromArg(path: string): string {
  return resolve(path);
}
