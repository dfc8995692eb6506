/**
 * Private, throw-away instances of the backing servers the chaos run restarts: Redis, PostgreSQL and
 * a RabbitMQ node, each on its own free loopback port and in its own temporary directory. The shared
 * servers of this machine (5432, 6379, 5672: other people's tests use them) are never stopped.
 * Each instance offers restart() (the same server: same port, same data directory, same arguments)
 * and stop() (kills it and removes its directory).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run, sleep } from '../lib/proc.js';

const isRoot = process.getuid?.() === 0;

/** Runs `cmd args` as `user` when this process is root (PostgreSQL and RabbitMQ refuse root), else as is. */
function asUser(user, cmd, args, opts = {}) {
  return isRoot ? run('runuser', ['-u', user, '--', cmd, ...args], opts) : run(cmd, args, opts);
}

function uidOf(user) {
  const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  return r.status === 0 ? { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
}

function tempDirFor(user, prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (isRoot) {
    const id = uidOf(user);
    if (!id) throw new Error(`no user ${user} on this machine`);
    chownSync(dir, id.uid, id.gid);
  }
  return dir;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

async function waitPort(port, up, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await listening(port)) === up) return;
    await sleep(100);
  }
  throw new Error(`${what}: port ${port} not ${up ? 'open' : 'closed'} within ${timeoutMs} ms`);
}

async function must(p, what) {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} → exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A private redis-server (no persistence, like scripts/services.sh starts the shared one). */
export async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-chaos-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--pidfile',
    join(dir, 'redis.pid'),
    '--logfile',
    join(dir, 'redis.log'),
  ];
  const start = async () => {
    await must(run('redis-server', args), 'redis-server');
    await waitPort(port, true, 20_000, 'redis');
  };
  const pid = () =>
    existsSync(join(dir, 'redis.pid')) ? Number(readFileSync(join(dir, 'redis.pid'), 'utf8').trim()) : undefined;
  const down = async () => {
    await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { timeoutMs: 10_000 }).catch(() => undefined);
    await waitPort(port, false, 10_000, 'redis stop').catch(() => {
      const p = pid();
      if (p) process.kill(p, 'SIGKILL');
    });
  };
  await start();
  return {
    name: 'redis',
    port,
    dir,
    /** Down for `downMs`, then the same server (port, arguments) again. Resolves when it accepts connections. */
    async restart(downMs = 0) {
      await down();
      if (downMs) await sleep(downMs);
      await start();
    },
    async stop() {
      await down().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return '';
  const v = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(base, v, 'bin') : '';
}

/** A private PostgreSQL cluster (initdb, trust auth for postgres, loopback only). */
export async function startPostgres() {
  const bin = pgBin();
  const pgCtl = bin ? join(bin, 'pg_ctl') : 'pg_ctl';
  const dir = tempDirFor('postgres', 'wharf-chaos-pg-');
  const data = join(dir, 'data');
  const port = await freePort();
  await must(
    asUser(
      'postgres',
      bin ? join(bin, 'initdb') : 'initdb',
      ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'],
      { cwd: dir },
    ),
    'initdb',
  );
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  await must(
    asUser('postgres', pgCtl, ['-D', data, '-l', join(dir, 'pg.log'), '-o', opts, '-w', '-t', '60', 'start'], {
      cwd: dir,
    }),
    'pg_ctl start',
  );
  return {
    name: 'postgresql',
    port,
    dir,
    /** `pg_ctl restart -m fast` (the same data directory and options). */
    async restart() {
      await must(
        asUser(
          'postgres',
          pgCtl,
          ['-D', data, '-l', join(dir, 'pg.log'), '-o', opts, '-m', 'fast', '-w', '-t', '60', 'restart'],
          { cwd: dir },
        ),
        'pg_ctl restart',
      );
    },
    async stop() {
      await asUser('postgres', pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], {
        cwd: dir,
        timeoutMs: 30_000,
      }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private RabbitMQ node `wharfchaos-XXXX@localhost` (no plugins, guest allowed on loopback). */
export async function startRabbit() {
  const dir = tempDirFor('rabbitmq', 'wharf-chaos-rabbit-');
  const port = await freePort();
  let dist = await freePort();
  while (dist === port) dist = await freePort();
  const node = `wharfchaos${port}@localhost`;
  writeFileSync(join(dir, 'plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${port}\nloopback_users = none\n`);
  for (const f of ['plugins', 'rabbitmq.conf']) chmodSync(join(dir, f), 0o644);
  const env = [
    `RABBITMQ_NODENAME=${node}`,
    `RABBITMQ_NODE_PORT=${port}`,
    `RABBITMQ_DIST_PORT=${dist}`,
    `RABBITMQ_MNESIA_BASE=${join(dir, 'mnesia')}`,
    `RABBITMQ_LOG_BASE=${join(dir, 'log')}`,
    `RABBITMQ_ENABLED_PLUGINS_FILE=${join(dir, 'plugins')}`,
    `RABBITMQ_CONFIG_FILE=${join(dir, 'rabbitmq.conf')}`,
  ];
  const ctl = (args, timeoutMs = 60_000) =>
    asUser('rabbitmq', 'rabbitmqctl', ['-n', node, '-q', ...args], { cwd: dir, timeoutMs });
  await must(
    asUser('rabbitmq', 'env', [...env, 'rabbitmq-server', '-detached'], { cwd: dir }),
    'rabbitmq-server -detached',
  );
  await waitPort(port, true, 120_000, `rabbitmq node ${node}`);
  return {
    name: 'rabbitmq',
    port,
    dir,
    node,
    /** `rabbitmqctl stop_app`, `downMs`, `start_app` (the node and its data stay). */
    async restartApp(downMs = 0) {
      await must(ctl(['stop_app']), 'rabbitmqctl stop_app');
      if (downMs) await sleep(downMs);
      await must(ctl(['start_app']), 'rabbitmqctl start_app');
      await waitPort(port, true, 60_000, 'rabbitmq after start_app');
    },
    async stop() {
      await ctl(['shutdown'], 60_000).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when OpenStack Swift's servers are installed here (scripts/swift-aio.sh can run a private one). */
export function swiftInstalled() {
  return existsSync('/usr/bin/swift-proxy-server') && existsSync('/usr/bin/swift-object-server');
}

async function freeRun(n) {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = !(await listening(p, 200));
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports`);
}

/** A private single-node Swift (scripts/swift-aio.sh with its own state dir and ports; tempauth test:tester/testing). */
export async function startSwift() {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-chaos-swift-'));
  const port = await freePort();
  const env = {
    ...process.env,
    WHARF_SWIFT_DIR: dir,
    WHARF_SWIFT_PORT: String(port),
    WHARF_SWIFT_BACKEND_PORT: String(await freeRun(3)),
    WHARF_SWIFT_MEMCACHE_PORT: String(await freePort()),
    WHARF_SWIFT_TIMEOUT: '120',
  };
  const script = join(import.meta.dirname, '../../scripts/swift-aio.sh');
  const aio = (cmd) => run('bash', [script, cmd], { env, timeoutMs: 180_000 });
  await must(aio('up'), 'swift-aio.sh up');
  return {
    name: 'swift',
    port,
    dir,
    /** `swift-aio.sh down`, `downMs`, `swift-aio.sh up` (the same state dir and ports). */
    async stopFor(downMs) {
      await must(aio('down'), 'swift-aio.sh down');
      await sleep(downMs);
      await must(aio('up'), 'swift-aio.sh up');
    },
    async stop() {
      await aio('down').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
