/**
 * The chaos run's cluster, made through the CLI as scenario D makes it: `wharf quickstart create DIR
 * postgresql … redis …` (2 servers × 2 workers, HAProxy in front), content through server1's admin
 * API; helpers to read each server's workers and to compare their config versions and module hashes.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, isAlive, sleep } from '../lib/proc.js';
import { ROOT, wharf } from '../lib/wharf.js';

export const PROBE = `import { service } from 'wharf';
export class Probe extends service({ name: 'chaos.probe' }) {
  async handle() {
    return { ok: true, pid: globalThis.process?.pid ?? 0 };
  }
}
`;
export const RELAY = `import { int, service } from 'wharf';
export class Relay extends service({ name: 'chaos.relay', input: { id: int() } }) {
  async handle() {
    await this.outgoing.amqp('chaos-out').send({ id: this.input.id }, { messageId: String(this.input.id) });
    return { id: this.input.id };
  }
}
`;
export const SWIFT = `import { service } from 'wharf';
export class SwiftPut extends service({ name: 'chaos.swift' }) {
  async handle() {
    const c = await this.cloud.swift('chaos-swift').client();
    try {
      await c.putObject('chaos', 'probe', 'x');
    } finally {
      c.release();
    }
    return { ok: true };
  }
}
`;
export const BLOCK = `import { service } from 'wharf';
export class Block extends service({ name: 'chaos.block' }) {
  async handle() {
    while (true) {}
  }
}
`;

/** True when the built server's config code mentions `needle` (dist/server/config.js, or a bundle under dist/bundle/). */
function builtConfigKnows(needle) {
  const f = join(ROOT, 'dist/server/config.js');
  if (existsSync(f)) return readFileSync(f, 'utf8').includes(needle);
  const bundle = join(ROOT, 'dist/bundle');
  if (!existsSync(bundle)) return false;
  return readdirSync(bundle).some((n) => n.endsWith('.js') && readFileSync(join(bundle, n), 'utf8').includes(needle));
}

/** True when the built server knows `watchdog.blockedMs` (another part of issue 13). */
export function watchdogConfigurable() {
  return builtConfigKnows('blockedMs');
}

/** True when the built server knows `watchdog.spare` (a spare worker that takes a dead worker's place). */
export function spareConfigurable() {
  return builtConfigKnows('spare:');
}

/** True when `wharf start` offers --supervise. */
export async function startHasSupervise() {
  const r = await wharf(['start', '--help'], { allowFail: true });
  return /--supervise/.test(r.stdout);
}

export async function createCluster({ parent, pgPort, redisPort, workers = 2, blockedMs, spare = false }) {
  const dir = join(parent, 'env');
  const lbPort = await freePort();
  let basePort = await freePort();
  while (basePort + 1 === lbPort) basePort = await freePort();
  const qs = await wharf(
    [
      'quickstart',
      'create',
      dir,
      'postgresql',
      '127.0.0.1',
      String(pgPort),
      'postgres',
      'postgres',
      '127.0.0.1',
      String(redisPort),
      '--base-port',
      String(basePort),
      '--lb-port',
      String(lbPort),
      '--workers',
      String(workers),
      '--web-admin-port',
      String(await freePort()),
      '--cluster-name',
      `chaos-${randomBytes(2).toString('hex')}`,
    ],
    {
      env: { ...process.env, WHARF_ODB_PASSWORD: '', WHARF_KVDB_PASSWORD: '' },
    },
  );
  const password = /password:\[([^\]]+)\]/.exec(qs.stdout)?.[1];
  if (!password) throw new Error(`no admin password in the quickstart output:\n${qs.stdout}`);
  if (blockedMs !== undefined || spare) {
    const watchdog = `watchdog:\n${blockedMs !== undefined ? `  blockedMs: ${blockedMs}\n` : ''}${spare ? '  spare: true\n' : ''}`;
    for (const s of ['server1', 'server2']) {
      const f = join(dir, s, 'config/server.yaml');
      writeFileSync(f, `${readFileSync(f, 'utf8')}${watchdog}`, { mode: 0o600 });
    }
  }
  const auth = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
  const servers = [`http://127.0.0.1:${basePort}`, `http://127.0.0.1:${basePort + 1}`];
  return { dir, lbPort, basePort, lb: `http://127.0.0.1:${lbPort}`, servers, names: ['server1', 'server2'], auth };
}

/**
 * The pid of server `name`'s spare worker (watchdog.spare) once it has said it is ready and is still
 * alive and idle (not among `workerPids`), else undefined. Read from the server's log.
 */
export function readySpare(c, name, workerPids) {
  let text = '';
  try {
    text = readFileSync(join(c.dir, name, 'logs/server.log'), 'utf8');
  } catch {
    return undefined;
  }
  let pid;
  for (const l of text.split('\n')) {
    if (!l.includes('spare worker ready')) continue;
    try {
      const j = JSON.parse(l);
      if (j.spare === true) pid = j.pid;
    } catch {
      /* a partial line */
    }
  }
  return pid !== undefined && isAlive(pid) && !workerPids.includes(pid) ? pid : undefined;
}

/** An admin API call with a deadline; resolves the parsed JSON, throws on a non-2xx status. */
export async function admin(c, base, method, path, body, timeoutMs = 5000) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: c.auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const t = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${t.slice(0, 300)}`);
  return t ? JSON.parse(t) : {};
}

export async function deployContent(c, amqpPort, { blockTimeoutMs = 3000, swiftPort } = {}) {
  const s1 = c.servers[0];
  await admin(c, s1, 'POST', '/wharf/admin/services', { name: 'chaos-probe.ts', source: PROBE }, 60_000);
  await admin(c, s1, 'POST', '/wharf/admin/services', { name: 'chaos-relay.ts', source: RELAY }, 60_000);
  await admin(c, s1, 'POST', '/wharf/admin/services', { name: 'chaos-block.ts', source: BLOCK }, 60_000);
  await admin(c, s1, 'POST', '/wharf/admin/config/channels.http', {
    name: 'chaos-probe',
    urlPath: '/chaos/probe',
    service: 'chaos.probe',
    method: 'GET',
  });
  await admin(c, s1, 'POST', '/wharf/admin/config/channels.http', {
    name: 'chaos-version',
    urlPath: '/chaos/v/0',
    service: 'chaos.probe',
    method: 'GET',
  });
  await admin(c, s1, 'POST', '/wharf/admin/config/channels.http', {
    name: 'chaos-block',
    urlPath: '/chaos/block',
    service: 'chaos.block',
    method: 'GET',
    timeoutMs: blockTimeoutMs,
  });
  await admin(c, s1, 'POST', '/wharf/admin/config/definitions.amqp', {
    name: 'chaos-mq',
    host: '127.0.0.1',
    port: amqpPort,
    username: 'guest',
    password: 'guest',
    heartbeat: 5,
    reconnectMaxDelayMs: 1000,
  });
  await admin(c, s1, 'POST', '/wharf/admin/config/outgoing.amqp', {
    name: 'chaos-out',
    definition: 'chaos-mq',
    routingKey: 'chaos.out',
    sendTimeoutMs: 30_000,
  });
  if (swiftPort) {
    await admin(c, s1, 'POST', '/wharf/admin/services', { name: 'chaos-swift.ts', source: SWIFT }, 60_000);
    await admin(c, s1, 'POST', '/wharf/admin/config/cloud.openstackSwift', {
      name: 'chaos-swift',
      authUrl: `http://127.0.0.1:${swiftPort}/auth/v1.0`,
      user: 'test:tester',
      key: 'testing',
      createMissingContainers: true,
      retries: 0,
      timeoutMs: 5000,
    });
    await admin(c, s1, 'POST', '/wharf/admin/config/channels.http', {
      name: 'chaos-swift',
      urlPath: '/chaos/swift',
      service: 'chaos.swift',
      method: 'GET',
    });
  }
  await admin(c, s1, 'POST', '/wharf/admin/config/channels.amqp', {
    name: 'chaos-in',
    definition: 'chaos-mq',
    queue: 'chaos.in',
    service: 'chaos.relay',
    timeoutMs: 40_000,
    retryDelayMs: 200,
  });
}

/** GET over a fresh connection (so the primary hands it to any worker); resolves { status, body }. */
export function getFresh(url, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves Date.now() when the probe on `base` is first answered by worker `pid` (fresh connections), or undefined. */
export async function servedBy(base, pid, timeoutMs) {
  return until(
    async () => {
      const r = await getFresh(`${base}/chaos/probe`, 2000);
      return r.status === 200 && JSON.parse(r.body).pid === pid;
    },
    timeoutMs,
    20,
  );
}

/** Each worker of the server at `base`: [{ worker, pid, configVersion, modules }] plus the ODB's version. */
export async function workersOf(c, base, timeoutMs = 3000) {
  return admin(c, base, 'GET', '/wharf/admin/cluster/workers', undefined, timeoutMs);
}

/**
 * Config drift: every worker of every server on the ODB's config version and the same module hashes.
 * Resolves { ok, detail } (detail says what differs, or "none").
 */
export async function drift(c, expectWorkers) {
  const per = [];
  for (const [i, base] of c.servers.entries()) {
    try {
      per.push({ name: c.names[i], ...(await workersOf(c, base)) });
    } catch (e) {
      return { ok: false, detail: `${c.names[i]} did not answer: ${e.message}` };
    }
  }
  const odb = Math.max(...per.map((p) => p.odbVersion));
  const problems = [];
  let ref;
  for (const p of per) {
    if (p.items.length !== expectWorkers) problems.push(`${p.name} has ${p.items.length} workers`);
    for (const w of p.items) {
      if (w.configVersion !== odb) problems.push(`${p.name} w${w.worker} config v${w.configVersion} ≠ ODB v${odb}`);
      const h = JSON.stringify(Object.entries(w.modules ?? {}).sort());
      ref ??= h;
      if (h !== ref) problems.push(`${p.name} w${w.worker} module hashes differ`);
    }
  }
  return { ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `none (v${odb} everywhere)` };
}

/** The primary's pid of a server (its pidfile), if alive. */
export function primaryOf(c, name) {
  const f = join(c.dir, name, 'pids/server.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Polls fn until it resolves truthy; resolves Date.now() then, or undefined after timeoutMs. */
export async function until(fn, timeoutMs, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await fn()) return Date.now();
    } catch {
      /* not yet */
    }
    await sleep(everyMs);
  }
  return undefined;
}
