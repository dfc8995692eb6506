/**
 * Servers the extra scenarios start, each pinned with taskset (bench/lib/proc.js): a generic
 * process wrapper, nginx (reverse proxy or echo backend), the Node echo backend, Node-RED; and the
 * one-time installs of the peers (nginx + echo module with apt-get, Node-RED with
 * `npm install --prefix bench/.peers`, never into the project's own package.json).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { descendantsOf, isAlive, pinned, sleep } from '../lib/proc.js';
import { onInterrupt } from './measure.js';

export const BENCH = resolve(import.meta.dirname, '..');
export const ROOT = resolve(BENCH, '..');
export const FIXTURES = join(BENCH, 'fixtures');
export const PEERS = join(BENCH, '.peers');

/** Waits until a TCP port accepts connections (or the process died / time is up). */
export async function waitPort(port, { timeoutMs = 60_000, isDead = () => false, what = `port ${port}` } = {}) {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (isDead()) throw new Error(`${what}: the process exited before listening`);
    await sleep(20);
  }
  throw new Error(`${what}: not listening after ${timeoutMs} ms`);
}

/**
 * Spawns `cmd args` pinned to `core` (taskset execs the command, so the child's pid is the
 * server's). Returns { pid, pids(), stop(), exited(), output() }.
 */
export function spawnPinned(core, cmd, args, { env = process.env, cwd = ROOT, name = cmd } = {}) {
  const [c, a] = core === undefined ? [cmd, args] : pinned(core, cmd, args);
  const child = spawn(c, a, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d) => {
    out += d;
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const kill = () => {
    for (const p of [child.pid, ...descendantsOf(child.pid)]) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  };
  const unregister = onInterrupt(kill);
  const gone = new Promise((r) => child.on('exit', () => ((exited = true), unregister(), r())));
  child.on('error', (e) => keep(String(e)));
  return {
    name,
    pid: child.pid,
    pids: () => (exited ? [] : [child.pid, ...descendantsOf(child.pid)]),
    exited: () => exited,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (exited) return;
      const all = [child.pid, ...descendantsOf(child.pid)];
      child.kill(signal);
      const t = setTimeout(() => {
        for (const p of all.filter(isAlive)) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }, 10_000);
      await gone;
      clearTimeout(t);
      const deadline = Date.now() + 5000;
      while (all.some(isAlive) && Date.now() < deadline) await sleep(20);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// nginx

const ECHO_MODULE = '/usr/lib/nginx/modules/ngx_http_echo_module.so';

function nginxBinary() {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'])
    if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Makes sure nginx (and, when `echoModule`, Debian's libnginx-mod-http-echo) is installed:
 * `apt-get install -y nginx [libnginx-mod-http-echo]` when missing (needs root). Returns
 * { nginx: path|undefined, echoModule: bool, note }.
 */
export function ensureNginx({ echoModule = false, log = () => {} } = {}) {
  let bin = nginxBinary();
  const wantEcho = echoModule && !existsSync(ECHO_MODULE);
  if (!bin || wantEcho) {
    const pkgs = [...(bin ? [] : ['nginx']), ...(wantEcho ? ['libnginx-mod-http-echo'] : [])];
    if (process.getuid?.() !== 0)
      return {
        nginx: bin,
        echoModule: existsSync(ECHO_MODULE),
        note: `not root: cannot apt-get install ${pkgs.join(' ')}`,
      };
    log(`installing ${pkgs.join(' ')} with apt-get (first run)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
      env,
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { env, timeout: 600_000 });
      r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
        env,
        encoding: 'utf8',
        timeout: 600_000,
      });
    }
    if (r.status !== 0)
      log(`apt-get install ${pkgs.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    // Debian's postinst may have started the packaged nginx (port 80) where services are allowed to
    // start; that instance is not ours to keep running, but it is not ours to stop either: say so.
    if (existsSync('/run/nginx.pid'))
      log('note: the packaged nginx service was started by apt-get (port 80); the benchmark does not use it');
    bin = nginxBinary();
  }
  return { nginx: bin, echoModule: existsSync(ECHO_MODULE) };
}

/**
 * Starts nginx with a config from bench/fixtures (`nginx-proxy.conf` / `nginx-echo.conf`),
 * pinned to `core`, master + 1 worker, in its own prefix directory under `dir`.
 */
export async function startNginx({ template, dir, port, echoPort, core, nginx }) {
  mkdirSync(dir, { recursive: true });
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const conf = readFileSync(join(FIXTURES, template), 'utf8')
    .replaceAll('{{PREFIX}}', dir)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{ECHO_PORT}}', String(echoPort ?? 0))
    .replaceAll('{{USER}}', process.getuid?.() === 0 ? 'user root;' : '')
    .replaceAll('{{LOAD_MODULE}}', `load_module ${ECHO_MODULE};`);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const p = spawnPinned(core, nginx, ['-p', dir, '-c', file], { name: 'nginx' });
  await waitPort(port, { isDead: p.exited, what: `nginx (${template})` }).catch((e) => {
    throw new Error(
      `${e.message}\n${p.output()}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`,
    );
  });
  return p;
}

/** Scenario A's bare Node proxy (bench/lib-extra/node-proxy.js), pinned to `core`. */
export async function startNodeProxy({ port, echoPort, core, poolSize }) {
  const p = spawnPinned(
    core,
    process.execPath,
    [join(BENCH, 'lib-extra/node-proxy.js'), String(port), `http://127.0.0.1:${echoPort}`, '/echo', String(poolSize)],
    { name: 'node proxy' },
  );
  await waitPort(port, { isDead: p.exited, what: 'bare Node proxy' });
  return p;
}

/** The Node echo backend (bench/lib-extra/echo-server.js), pinned to `core`. */
export async function startNodeEcho({ port, core }) {
  const p = spawnPinned(core, process.execPath, [join(BENCH, 'lib-extra/echo-server.js'), String(port)], {
    name: 'node echo',
  });
  await waitPort(port, { isDead: p.exited, what: 'node echo backend' });
  return p;
}

// ---------------------------------------------------------------------------------------------
// Node-RED

export const NODE_RED_SPEC = 'node-red@4.1';

export function nodeRedInstalled() {
  const pj = join(PEERS, 'node_modules/node-red/package.json');
  return existsSync(pj) ? JSON.parse(readFileSync(pj, 'utf8')).version : undefined;
}

/**
 * Installs Node-RED 4.1 (the newest line that runs on Node 20) into bench/.peers on first use:
 * `npm install --prefix bench/.peers node-red@4.1` (outside the project's dependencies;
 * bench/.peers/ is gitignored). BENCH_NO_INSTALL=1 skips it. Returns the version or undefined.
 */
export function ensureNodeRed({ log = () => {} } = {}) {
  let v = nodeRedInstalled();
  if (v || process.env.BENCH_NO_INSTALL === '1') return v;
  mkdirSync(PEERS, { recursive: true });
  if (!existsSync(join(PEERS, 'package.json')))
    writeFileSync(
      join(PEERS, 'package.json'),
      `${JSON.stringify({ name: 'wharf-bench-peers', private: true, description: 'Benchmark peers, installed by bench/ on first run; not part of Wharf' }, null, 2)}\n`,
    );
  log(`installing ${NODE_RED_SPEC} into bench/.peers (first run; npm install --prefix bench/.peers ${NODE_RED_SPEC})`);
  const r = spawnSync('npm', ['install', '--prefix', PEERS, '--no-audit', '--no-fund', '--omit=dev', NODE_RED_SPEC], {
    cwd: PEERS,
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0)
    log(`npm install ${NODE_RED_SPEC} failed: ${(r.stderr ?? '').trim().split('\n').slice(-5).join(' | ')}`);
  v = nodeRedInstalled();
  return v;
}

/**
 * Starts Node-RED (bench/.peers) with the flows of bench/fixtures/`flowsTemplate` (placeholders
 * {{ECHO_URL}}, {{FAULT_*}}), its editor and admin API off, pinned to `core`.
 */
export async function startNodeRed({ dir, port, core, flowsTemplate, replacements, readyPath }) {
  mkdirSync(dir, { recursive: true });
  let flows = readFileSync(join(FIXTURES, flowsTemplate), 'utf8');
  for (const [k, v] of Object.entries(replacements))
    flows = flows.replaceAll(`{{${k}}}`, JSON.stringify(v).slice(1, -1));
  JSON.parse(flows); // a broken template fails here, not silently in Node-RED
  writeFileSync(join(dir, 'flows.json'), flows);
  const settings = join(dir, 'settings.cjs');
  writeFileSync(
    settings,
    `module.exports = {
  uiPort: ${port},
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  userDir: ${JSON.stringify(dir)},
  credentialSecret: false,
  httpAdminRoot: false,
  disableEditor: true,
  httpNodeRoot: '/',
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  diagnostics: { enabled: false },
  runtimeState: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  contextStorage: { default: { module: 'memory' } },
};
`,
  );
  const red = join(PEERS, 'node_modules/node-red/red.js');
  const p = spawnPinned(
    core,
    process.execPath,
    [red, '--settings', settings, '--userDir', dir, '--port', String(port)],
    { name: 'node-red', cwd: dir },
  );
  await waitPort(port, { isDead: p.exited, what: 'Node-RED', timeoutMs: 90_000 }).catch((e) => {
    throw new Error(`${e.message}\n${p.output()}`);
  });
  // The port opens before the flows are started: until then every http-in path answers 404.
  if (readyPath) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const st = await fetch(`http://127.0.0.1:${port}${readyPath}`, {
        method: 'POST',
        body: '<x/>',
        headers: { 'content-type': 'text/xml' },
      }).then(
        (r) => (r.body?.cancel(), r.status),
        () => 0,
      );
      if (st !== 0 && st !== 404) break;
      if (p.exited() || Date.now() > deadline)
        throw new Error(`Node-RED: ${readyPath} still not served (HTTP ${st})\n${p.output()}`);
      await sleep(50);
    }
  }
  return p;
}
