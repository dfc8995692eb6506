/**
 * Secret outgoing headers end to end (issue 13): an outgoing.http connection created through the
 * admin API with an Authorization header is read back masked, exported as a placeholder, stored
 * encrypted (no clear token in the ODB files), kept when the masked value is sent back, and a call
 * through it reaches a real local HTTP backend with the token in clear.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, type TestEnv } from '../helpers/env.js';

const TOKEN = 'Bearer it-token-5e1b7d';
const PROXY_AUTH = 'Basic cHJveHk6c2VjcmV0LTk5';

describe('secret outgoing headers', () => {
  let env: TestEnv;
  let backend: Server;
  let port = 0;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    backend = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    port = (backend.address() as AddressInfo).port;
    env = await createEnv({ workers: 1 });
  });
  afterAll(async () => {
    await env?.destroy();
    backend?.closeAllConnections();
    await new Promise((r) => backend?.close(r));
  });

  const odbBytes = (): Buffer => {
    const base = join(env.dir, 'odb/wharf.db');
    return Buffer.concat([base, `${base}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
  };

  it('create → read masked → export as placeholders → ODB without clear tokens → the backend gets them in clear', async () => {
    const created = await env.admin('POST', '/wharf/admin/config/outgoing.http', {
      name: 'crm-secret-hdr',
      address: `http://127.0.0.1:${port}`,
      path: '/in',
      dataFormat: 'raw',
      headers: { Authorization: TOKEN, 'proxy-authorization': PROXY_AUTH, 'X-Tenant': 'acme' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(/it-token|cHJveHk/);

    const read = await env.admin<{ data: { headers: Record<string, string>; secretHeaders: string[] } }>(
      'GET',
      '/wharf/admin/config/outgoing.http/crm-secret-hdr',
    );
    expect(read.status).toBe(200);
    expect(read.body.data.headers).toEqual({
      Authorization: '******',
      'proxy-authorization': '******',
      'X-Tenant': 'acme',
    });
    expect(read.body.data.secretHeaders).toEqual(['authorization', 'proxy-authorization']);
    const list = await env.admin('GET', '/wharf/admin/config/outgoing.http');
    expect(JSON.stringify(list.body)).not.toMatch(/it-token|cHJveHk/);

    const exp = await env.admin<{ yaml: string }>('GET', '/wharf/admin/enmasse/export?format=yaml');
    expect(exp.body.yaml).toContain('Authorization: ${WHARF_HTTP_CRM_SECRET_HDR_HEADERS_AUTHORIZATION}');
    expect(exp.body.yaml).toContain('proxy-authorization: ${WHARF_HTTP_CRM_SECRET_HDR_HEADERS_PROXY_AUTHORIZATION}');
    expect(exp.body.yaml).toContain('X-Tenant: acme');
    expect(exp.body.yaml).not.toMatch(/it-token|cHJveHk/);

    const bytes = odbBytes();
    expect(bytes.includes(Buffer.from('crm-secret-hdr'))).toBe(true); // the row is in these files
    expect(bytes.includes(Buffer.from('it-token-5e1b7d'))).toBe(false);
    expect(bytes.includes(Buffer.from('cHJveHk6c2VjcmV0LTk5'))).toBe(false);

    const ch = await env.admin('POST', '/wharf/admin/config/channels.http', {
      name: 'via-crm',
      urlPath: '/via/crm',
      method: 'GET',
      proxyTo: 'crm-secret-hdr',
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    const r = await eventually(
      async () => {
        const x = await env.fetch('/via/crm');
        return x.status === 200 ? x : undefined;
      },
      15_000,
      'the proxy channel',
    );
    expect(await r.text()).toBe('{"ok":true}');
    const got = seen.at(-1)!;
    expect(got['authorization']).toBe(TOKEN);
    expect(got['proxy-authorization']).toBe(PROXY_AUTH);
    expect(got['x-tenant']).toBe('acme');
  });

  it('an edit sending the masked value back keeps the token; the backend still gets it', async () => {
    const ed = await env.admin('PATCH', '/wharf/admin/config/outgoing.http/crm-secret-hdr', {
      headers: { Authorization: '******', 'proxy-authorization': '******', 'X-Tenant': 'globex' },
    });
    expect(ed.status, JSON.stringify(ed.body)).toBe(200);
    await eventually(
      async () => {
        const x = await env.fetch('/via/crm');
        await x.text();
        return seen.at(-1)?.['x-tenant'] === 'globex';
      },
      15_000,
      'the edit to reach the worker',
    );
    expect(seen.at(-1)!['authorization']).toBe(TOKEN);
    expect(seen.at(-1)!['proxy-authorization']).toBe(PROXY_AUTH);
    expect(odbBytes().includes(Buffer.from('it-token-5e1b7d'))).toBe(false);
  });
});
