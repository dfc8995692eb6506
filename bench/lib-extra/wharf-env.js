/**
 * A Wharf environment for a benchmark, made through the CLI as a user would (bench/lib/wharf.js):
 * `wharf quickstart create DIR --port P --workers 1`, `wharf start`, `wharf service deploy` of each
 * module, `wharf enmasse import` of the scenario's objects (one transaction), `wharf stop`.
 * Later rounds start it pinned with bench/lib/wharf.js startPinned().
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { primaryPid, serverPids, startPinned, stopEnv, wharf } from '../lib/wharf.js';
import { freePort } from '../lib/proc.js';
import { onInterrupt } from './measure.js';
import { waitPort } from './servers.js';

export async function createWharfEnv({ prefix, port, modules = [], yaml, ready, log = () => {} }) {
  const parent = mkdtempSync(join(tmpdir(), `wharf-bench-${prefix}-`));
  const dir = join(parent, 'env');
  const unregister = onInterrupt(async () => {
    if (primaryPid(dir)) await stopEnv(dir);
    rmSync(parent, { recursive: true, force: true });
  });
  log(
    `setup: wharf quickstart create (port ${port}, 1 worker), deploy ${modules.map((m) => m.split('/').pop()).join(', ')}, enmasse import`,
  );
  await wharf([
    'quickstart',
    'create',
    dir,
    '--port',
    String(port),
    '--workers',
    '1',
    '--web-admin-port',
    String(await freePort()),
  ]);
  await wharf(['start', dir, '--quiet']);
  try {
    for (const m of modules) await wharf(['service', 'deploy', dir, m]);
    // Several documents are imported one after the other: objects another one refers to (e.g.
    // definitions.amqp) go in an earlier file, so that they get lower config versions (see
    // bench/README.md: a worker applies objects in version order at start).
    const docs = yaml === undefined ? [] : Array.isArray(yaml) ? yaml : [yaml];
    for (const [i, doc] of docs.entries()) {
      const f = join(parent, `objects-${i + 1}.yaml`);
      writeFileSync(f, doc);
      await wharf(['enmasse', 'import', dir, f]);
    }
    if (ready) await ready();
  } finally {
    await stopEnv(dir);
  }
  if (primaryPid(dir)) throw new Error('wharf did not stop after setup');
  return {
    dir,
    parent,
    port,
    /** Starts it pinned to `core` (`wharf start` waits for /wharf/ping); resolves { pids(), stop() }. */
    async start(core, extraEnv) {
      const s = startPinned(dir, core, extraEnv ? { ...process.env, ...extraEnv } : process.env);
      await s.done;
      await waitPort(port, { what: 'wharf' });
      return { pids: () => serverPids(dir), stop: () => stopEnv(dir), worker: () => serverPids(dir).slice(1) };
    },
    stop: () => stopEnv(dir),
    async destroy(keep) {
      unregister();
      if (primaryPid(dir)) await stopEnv(dir);
      if (keep) log(`kept the environment in ${dir}`);
      else rmSync(parent, { recursive: true, force: true });
    },
  };
}
