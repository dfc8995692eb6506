/**
 * The admin API's operations for the web admin on a real server (issue #12, part C): traffic
 * series, service details and invoke, deploy error locations, enmasse YAML through the API, the
 * load balancer view and the problems list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Push } from 'zeromq';
import { createEnv, eventually, freePort, type TestEnv } from '../helpers/env.js';

const SERVICES = `import { int, service, text } from 'wharf';

export class Greet extends service({ name: 'ops.greet', input: { name: text(), times: int().default(1) }, output: { greeting: text() } }) {
  async handle() {
    return { greeting: \`hello \${this.input.name}\`.repeat(this.input.times) };
  }
}

export class Boom extends service({ name: 'ops.boom' }) {
  async handle() {
    throw new Error('kaboom');
  }
}

export class Made extends service({ name: 'ops.made' }) {
  async handle() {
    this.response.statusCode = 201;
    return { at: new Date('2026-01-02T03:04:05Z') };
  }
}

export class Slow extends service({ name: 'ops.slow' }) {
  async handle() {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return { late: true };
  }
}
`;

interface Point {
  t: number;
  count: number;
  errors: number;
  p50: number;
  p99: number;
}
interface Series {
  step: number;
  now: number;
  from: number;
  channels: Array<{ name: string; kind: string; points: Point[] }>;
  services: Array<{ name: string; points: Point[] }>;
}

describe('admin operations for the web admin', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createEnv({ workers: 2 });
    await env.deploy('ops.ts', SERVICES);
    await env.importYaml(
      'channels:\n  http:\n    - name: greet\n      urlPath: /greet\n      service: ops.greet\n    - name: boom\n      urlPath: /boom\n      service: ops.boom\nscheduler:\n  jobs:\n    - name: greet-job\n      type: interval\n      service: ops.greet\n      every: 1h\n      payload: { name: job }\n',
    );
  }, 60_000);
  afterAll(async () => {
    await env?.destroy();
  });

  it('metrics/series: traffic per 5 s slot, merged over the workers, channels and services', async () => {
    for (let i = 0; i < 20; i++)
      expect(
        (
          await env.fetch('/greet', {
            method: 'POST',
            body: '{"name":"x"}',
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      ).toBe(200);
    for (let i = 0; i < 3; i++) expect((await env.fetch('/boom', { method: 'POST' })).status).toBe(500);
    const { status, body } = await env.admin<Series>('GET', '/wharf/admin/metrics/series?minutes=2');
    expect(status).toBe(200);
    expect(body.step).toBe(5);
    expect(body.now - body.from).toBe(115);
    const greet = body.channels.find((c) => c.name === 'greet')!;
    expect(greet).toMatchObject({ kind: 'http', kindId: 'channels.http' });
    expect(greet.points).toHaveLength(24);
    expect(greet.points.reduce((n, p) => n + p.count, 0)).toBe(20);
    const busy = greet.points.find((p) => p.count > 0)!;
    expect(busy.p99).toBeGreaterThan(0);
    expect(busy.p99).toBeGreaterThanOrEqual(busy.p50);
    const boom = body.services.find((s) => s.name === 'ops.boom')!;
    expect(boom.points.reduce((n, p) => n + p.errors, 0)).toBe(3);
    expect((await env.admin('GET', '/wharf/admin/metrics/series')).body).toMatchObject({ step: 5 });
    // /wharf/metrics (the same IPC gather) still counts the same traffic over both workers
    const prom = await (
      await env.fetch('/wharf/metrics', {
        headers: { authorization: `Basic ${Buffer.from(`admin:${env.adminPassword}`).toString('base64')}` },
      })
    ).text();
    expect(prom).toMatch(
      /^wharf_http_requests_total\{server="server1",channel="greet",service="ops\.greet",code="200"\} 20$/m,
    );
    expect(prom).toMatch(/^wharf_workers\{server="server1"\} 2$/m);
    for (const bad of ['0', '16', 'abc', '1&minutes=2']) {
      const r = await env.admin<{ error: { code: string } }>('GET', `/wharf/admin/metrics/series?minutes=${bad}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('WHARF_ERR_BAD_REQUEST');
    }
  });

  it('metrics/series: message channels (ZeroMQ) are kind message; scheduler jobs count for their service', async () => {
    const port = await freePort();
    expect(
      (
        await env.admin('POST', '/wharf/admin/config/channels.zeromq', {
          name: 'zq',
          address: `tcp://127.0.0.1:${port}`,
          service: 'ops.greet',
        })
      ).status,
    ).toBe(201);
    const push = new Push();
    push.connect(`tcp://127.0.0.1:${port}`);
    try {
      for (let i = 0; i < 5; i++) await push.send(JSON.stringify({ name: `m${i}` }));
      const count = async (): Promise<Series> =>
        (await env.admin<Series>('GET', '/wharf/admin/metrics/series?minutes=1')).body;
      const sum = (pts: Point[] | undefined): number => (pts ?? []).reduce((n, p) => n + p.count, 0);
      const seen = await eventually(
        async () => {
          const s = await count();
          const zq = s.channels.find((c) => c.name === 'zq');
          return zq && sum(zq.points) === 5 ? s : undefined;
        },
        15_000,
        'ZeroMQ messages in the series',
      );
      expect(seen.channels.find((c) => c.name === 'zq')).toMatchObject({ kind: 'message', kindId: 'channels.zeromq' });
      const before = sum(seen.services.find((x) => x.name === 'ops.greet')?.points);
      expect((await env.admin('POST', '/wharf/admin/config/scheduler.jobs/greet-job/actions/execute', {})).status).toBe(
        200,
      );
      await eventually(
        async () => sum((await count()).services.find((x) => x.name === 'ops.greet')?.points) === before + 1,
        10_000,
        'job run in the series',
      );
      expect((await count()).channels.some((c) => c.name === 'greet-job')).toBe(false);
    } finally {
      push.close();
      await env.admin('DELETE', '/wharf/admin/config/channels.zeromq/zq');
    }
  });

  it('services/:name: SimpleIO fields, an example input, usedBy (channels and jobs), perServer; modules/:module has the source', async () => {
    const { status, body } = await env.admin<Record<string, unknown>>('GET', '/wharf/admin/services/ops.greet');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      service: 'ops.greet',
      module: 'ops.ts',
      status: 'deployed',
      input: [
        { name: 'name', type: 'text', required: true },
        { name: 'times', type: 'int', required: false, default: 1 },
      ],
      output: [{ name: 'greeting', type: 'text', required: true }],
      example: { name: '', times: 1 },
      usedBy: [
        { kind: 'channels.http', name: 'greet' },
        { kind: 'scheduler.jobs', name: 'greet-job' },
      ],
      perServer: [{ server: 'server1', status: 'deployed' }],
    });
    expect((body['hash'] as string).length).toBeGreaterThan(10);
    const mod = await env.admin<{ module: string; source: string; services: string[] }>(
      'GET',
      '/wharf/admin/services/modules/ops.ts',
    );
    expect(mod.status).toBe(200);
    expect(mod.body.source).toBe(SERVICES);
    expect(mod.body.services.sort()).toEqual(['ops.boom', 'ops.greet', 'ops.made', 'ops.slow']);
    expect((await env.admin('GET', '/wharf/admin/services/modules/nope.ts')).status).toBe(404);
    expect((await env.admin<{ error: { code: string } }>('GET', '/wharf/admin/services/no.such')).body.error.code).toBe(
      'WHARF_ERR_SERVICE_UNKNOWN',
    );
  });

  it('invoke: cid, status, durationMs and output; a service error is data (200); an unknown service is 404', async () => {
    const ok = await env.admin<{ cid: string; status: number; durationMs: number; output: unknown }>(
      'POST',
      '/wharf/admin/services/ops.greet/invoke',
      { input: { name: 'Ann', times: 2 } },
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 200, output: { greeting: 'hello Annhello Ann' } });
    expect(ok.body.cid).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.body.durationMs).toBeGreaterThan(0);
    const made = await env.admin<{ status: number; output: unknown }>(
      'POST',
      '/wharf/admin/services/ops.made/invoke',
      {},
    );
    expect(made.body).toMatchObject({ status: 201, output: { at: '2026-01-02T03:04:05.000Z' } });
    const boom = await env.admin<{ status: number; durationMs: number; error: { code: string; message: string } }>(
      'POST',
      '/wharf/admin/services/ops.boom/invoke',
      { input: {} },
    );
    expect(boom.status).toBe(200);
    expect(boom.body).toMatchObject({ status: 500, error: { code: 'WHARF_ERR_INTERNAL', message: 'kaboom' } });
    expect(boom.body.durationMs).toBeGreaterThanOrEqual(0);
    const bad = await env.admin<{ status: number; error: { code: string } }>(
      'POST',
      '/wharf/admin/services/ops.greet/invoke',
      { input: { times: 'x' } },
    );
    expect(bad.body).toMatchObject({ status: 400 });
    const slow = await env.admin<{ status: number; durationMs: number; error: { code: string } }>(
      'POST',
      '/wharf/admin/services/ops.slow/invoke',
      { input: {}, timeoutMs: 300 },
    );
    expect(slow.status).toBe(200);
    expect(slow.body).toMatchObject({ status: 504, error: { code: 'WHARF_ERR_TIMEOUT' } });
    expect(slow.body.durationMs).toBeGreaterThanOrEqual(290);
    expect(slow.body.durationMs).toBeLessThan(3000);
    for (const timeoutMs of ['1', 0, 1.5, 4_000_000])
      expect((await env.admin('POST', '/wharf/admin/services/ops.slow/invoke', { input: {}, timeoutMs })).status).toBe(
        400,
      );
    const unknown = await env.admin<{ error: { code: string } }>('POST', '/wharf/admin/services/no.such/invoke', {
      input: {},
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('WHARF_ERR_SERVICE_UNKNOWN');
  });

  it('a refused deploy names file, line, column, message and the source line', async () => {
    const broken =
      "import { service } from 'wharf';\n\nexport class B extends service({ name: 'ops.broken' }) {\n  async handle() { return 1 +; }\n}\n";
    const r = await env.admin<{ error: { code: string; message: string; details: Record<string, unknown> } }>(
      'POST',
      '/wharf/admin/services',
      { name: 'broken.ts', source: broken },
    );
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('WHARF_ERR_DEPLOY_FAILED');
    expect(r.body.error.details).toMatchObject({
      file: 'broken.ts',
      line: 4,
      column: expect.any(Number),
      message: expect.stringMatching(/expected/i),
      lineText: '  async handle() { return 1 +; }',
    });
    const atLoad =
      "import { service } from 'wharf';\nconst x = 1;\nthrow new Error('no config');\nexport class L extends service({ name: 'ops.load' }) { async handle() { return x; } }\n";
    const l = await env.admin<{ error: { details: Record<string, unknown> } }>('POST', '/wharf/admin/services', {
      name: 'load.ts',
      source: atLoad,
    });
    expect(l.status).toBe(400);
    expect(l.body.error.details).toMatchObject({
      file: 'load.ts',
      line: 3,
      message: 'no config',
      lineText: "throw new Error('no config');",
    });
    const none = await env.admin<{ error: { details: Record<string, unknown> } }>('POST', '/wharf/admin/services', {
      name: 'none.ts',
      source: 'export const x = 1;\n',
    });
    expect(none.status).toBe(400);
    expect(none.body.error.details).toMatchObject({
      file: 'none.ts',
      message: expect.stringMatching(/no service class/),
    });
    const notTs = await env.admin<{ error: { details: Record<string, unknown> } }>('POST', '/wharf/admin/services', {
      name: 'x.py',
      source: 'print(1)',
    });
    expect(notTs.status).toBe(400);
    expect(notTs.body.error.details).toMatchObject({ file: 'x.py' });
    expect((await env.admin('GET', '/wharf/admin/services/ops.broken')).status).toBe(404);
  });

  it('enmasse YAML: export ?format=yaml is what the CLI writes; import {yaml} dry run plans edits with a field diff, then applies', async () => {
    const exp = await env.admin<{ yaml: string; version: number }>('GET', '/wharf/admin/enmasse/export?format=yaml');
    expect(exp.status).toBe(200);
    expect(exp.body.yaml).toBe(await env.ok(['enmasse', 'export', 'ENV']));
    expect(exp.body.yaml).toMatch(/^# Wharf enmasse export of cluster /);
    expect(exp.body.yaml).toContain('urlPath: /greet');
    const tree = parse(exp.body.yaml) as { channels: { http: Array<Record<string, unknown>> } };
    tree.channels.http.find((c) => c['name'] === 'greet')!['timeoutMs'] = 1234;
    const edited = stringify(tree);
    expect(edited).not.toBe(exp.body.yaml);
    interface Plan {
      dryRun: boolean;
      version?: number;
      plan: Array<{
        kind: string;
        name: string;
        action: string;
        diff?: Array<{ field: string; from: unknown; to: unknown }>;
      }>;
    }
    const dry = await env.admin<Plan>('POST', '/wharf/admin/enmasse/import', {
      yaml: edited,
      dryRun: true,
      replace: true,
    });
    expect(dry.body).toMatchObject({ dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.plan.find((p) => p.name === 'greet')).toMatchObject({
      kind: 'channels.http',
      action: 'edit',
      diff: [{ field: 'timeoutMs', from: 30000, to: 1234 }],
    });
    expect(dry.body.plan.filter((p) => p.name !== 'greet').every((p) => p.action === 'unchanged')).toBe(true);
    expect(
      (await env.admin<{ data: Record<string, unknown> }>('GET', '/wharf/admin/config/channels.http/greet')).body.data[
        'timeoutMs'
      ],
    ).toBe(30000);
    const noReplace = await env.admin<{ error: { code: string } }>('POST', '/wharf/admin/enmasse/import', {
      yaml: edited,
      dryRun: true,
    });
    expect(noReplace.status).toBe(400);
    const applied = await env.admin<Plan>('POST', '/wharf/admin/enmasse/import', { yaml: edited, replace: true });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ dryRun: false, version: expect.any(Number) });
    expect(
      (await env.admin<{ data: Record<string, unknown> }>('GET', '/wharf/admin/config/channels.http/greet')).body.data[
        'timeoutMs'
      ],
    ).toBe(1234);
    const again = await env.admin<Plan>('POST', '/wharf/admin/enmasse/import', {
      yaml: (await env.admin<{ yaml: string }>('GET', '/wharf/admin/enmasse/export?format=yaml')).body.yaml,
      dryRun: true,
    });
    expect(again.body.plan.every((p) => p.action === 'unchanged')).toBe(true);

    const bad = await env.admin<{
      error: { code: string; details: { problems: Array<{ line: number; message: string }> } };
    }>('POST', '/wharf/admin/enmasse/import', { yaml: 'channels:\n  smtp:\n    - name: x\n', dryRun: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('WHARF_ERR_CONFIG_INVALID');
    expect(bad.body.error.details.problems[0]).toMatchObject({
      line: 2,
      message: expect.stringMatching(/unknown object kind `channels.smtp`/),
    });
    const syntax = await env.admin<{ error: { details: { problems: Array<{ line: number }> } } }>(
      'POST',
      '/wharf/admin/enmasse/import',
      { yaml: 'a: [\n' },
    );
    expect(syntax.status).toBe(400);
    for (const body of [{ yaml: 5 }, { objects: [null] }, { objects: [{ kind: 'channels.http', data: 'x' }] }, {}]) {
      expect((await env.admin('POST', '/wharf/admin/enmasse/import', body)).status).toBe(400);
    }
    expect((await env.admin('GET', '/wharf/admin/enmasse/export?format=xml')).status).toBe(400);
  });

  it('CSRF doors: a text/plain or cross-site deploy is refused (415/403) and nothing is deployed; invoke from another site too', async () => {
    const auth = `Basic ${Buffer.from(`admin:${env.adminPassword}`).toString('base64')}`;
    const source = "export default { name: 'csrf.probe', handle: () => ({ pwned: true }) };";
    const plain = await env.fetch('/wharf/admin/services', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'csrf.ts', source }),
    });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe('WHARF_ERR_UNSUPPORTED_MEDIA_TYPE');
    const cross = await env.fetch('/wharf/admin/services', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'csrf.ts', source }),
    });
    expect(cross.status).toBe(403);
    const site = await env.fetch('/wharf/admin/services/demo.quote/invoke', {
      method: 'POST',
      headers: { authorization: auth, 'sec-fetch-site': 'cross-site' },
    });
    expect(site.status).toBe(403);
    const list = await env.admin<{ items: Array<{ service: string }> }>('GET', '/wharf/admin/services');
    expect(list.body.items.map((i) => i.service)).not.toContain('csrf.probe');
  });

  it('cluster/servers: each server with pid, address, config version, hashes, and its start time, uptime and workers', async () => {
    const r = await env.admin<{
      items: Array<{
        name: string;
        pid: number;
        port: number;
        alive: boolean;
        workers?: number;
        startedAt?: string;
        uptimeMs?: number;
      }>;
    }>('GET', '/wharf/admin/cluster/servers');
    expect(r.status).toBe(200);
    const s = r.body.items.find((x) => x.name === 'server1');
    expect(s).toMatchObject({ alive: true, workers: 2, port: env.port });
    expect(Date.parse(s!.startedAt!)).toBeLessThanOrEqual(Date.now());
    expect(s!.uptimeMs).toBeGreaterThan(0);
    expect(s!.uptimeMs).toBeLessThan(10 * 60_000);
  });

  it('cluster/load-balancer: a single server has none; with settings in the ODB: frontend, backends alive per the ODB, the haproxy.cfg', async () => {
    expect(await env.admin('GET', '/wharf/admin/cluster/load-balancer')).toEqual({
      status: 200,
      body: { configured: false, backends: [] },
    });
    expect(
      (await env.admin('POST', '/wharf/admin/config/cluster.loadBalancer', { name: 'default', frontendPort: 18099 }))
        .status,
    ).toBe(201);
    const lb = await env.admin<{
      configured: boolean;
      frontend: string;
      backends: Array<{ server: string; address: string; state: string }>;
      config: string;
    }>('GET', '/wharf/admin/cluster/load-balancer');
    expect(lb.status).toBe(200);
    expect(lb.body).toMatchObject({
      configured: true,
      frontend: '127.0.0.1:18099',
      backends: [{ server: 'server1', address: `127.0.0.1:${env.port}`, state: 'up' }],
    });
    expect(lb.body.config).toContain('backend wharf_servers');
    expect(lb.body.config).toContain(`server server1 127.0.0.1:${env.port} check`);
    expect(lb.body.config).toContain('bind 127.0.0.1:18099');
    expect((await env.admin('GET', '/wharf/admin/cluster/load-balancer?name=other')).status).toBe(404);
    expect((await env.admin('DELETE', '/wharf/admin/config/cluster.loadBalancer/default')).status).toBe(200);
    expect(
      (await env.admin<{ configured: boolean }>('GET', '/wharf/admin/cluster/load-balancer')).body.configured,
    ).toBe(false);
  });

  it('problems: a channel whose service was deleted is listed, and cleared when the service is back', async () => {
    const LONELY =
      "import { service } from 'wharf';\nexport class Lonely extends service({ name: 'ops.lonely' }) { async handle() { return { ok: true }; } }\n";
    await env.deploy('lonely.ts', LONELY);
    await env.importYaml('channels:\n  http:\n    - name: lonely\n      urlPath: /lonely\n      service: ops.lonely\n');
    const before = await env.admin<{ items: Array<{ kind: string; name: string; problem: string }> }>(
      'GET',
      '/wharf/admin/problems',
    );
    expect(before.status).toBe(200);
    expect(before.body.items.filter((p) => p.name === 'lonely')).toEqual([]);
    expect((await env.admin('DELETE', '/wharf/admin/services/ops.lonely')).status).toBe(200);
    const after = await env.admin<{ items: Array<{ kind: string; name: string; field?: string; problem: string }> }>(
      'GET',
      '/wharf/admin/problems',
    );
    expect(after.body.items).toContainEqual({
      kind: 'channels.http',
      name: 'lonely',
      field: 'service',
      problem: 'service `ops.lonely` is not deployed',
    });
    const details = await env.admin<{ usedBy: unknown[] }>('GET', '/wharf/admin/services/ops.greet');
    expect(details.body.usedBy).toHaveLength(2);
    await env.deploy('lonely.ts', LONELY);
    await eventually(
      async () =>
        !(await env.admin<{ items: Array<{ name: string }> }>('GET', '/wharf/admin/problems')).body.items.some(
          (p) => p.name === 'lonely',
        ),
      5000,
      'problem cleared',
    );
  });

  it('problems: a connector that is down is listed with its reason', async () => {
    const port = await freePort(); // nothing listens there
    expect(
      (
        await env.admin('POST', '/wharf/admin/config/definitions.amqp', {
          name: 'nowhere',
          host: '127.0.0.1',
          port,
          username: 'u',
          connectTimeoutMs: 500,
          reconnectDelayMs: 200,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await env.admin('POST', '/wharf/admin/config/channels.amqp', {
          name: 'q-nowhere',
          definition: 'nowhere',
          queue: 'q',
          service: 'ops.greet',
        })
      ).status,
    ).toBe(201);
    try {
      const hit = await eventually(
        async () => {
          const items = (
            await env.admin<{ items: Array<{ kind: string; name: string; problem: string }> }>(
              'GET',
              '/wharf/admin/problems',
            )
          ).body.items;
          return items.find((p) => p.name === 'nowhere' || p.name === 'q-nowhere');
        },
        15_000,
        'connector down in problems',
      );
      expect(hit.problem).toMatch(/^down: ./); // with the reason
    } finally {
      await env.admin('DELETE', '/wharf/admin/config/channels.amqp/q-nowhere');
      await env.admin('DELETE', '/wharf/admin/config/definitions.amqp/nowhere');
    }
  });
});
