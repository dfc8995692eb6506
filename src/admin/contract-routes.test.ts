import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Unauthorized } from '../errors.js';
import type { ContractRuntime } from '../service/contracts/runtime.js';
import { contractsArePublic, publicOpenApi } from './contract-routes.js';

const channels = [
  { name: 'on', urlPath: '/on', method: 'GET', service: 'nowhere', dataFormat: 'json', active: true },
  { name: 'off', urlPath: '/off', method: 'GET', service: 'nowhere', dataFormat: 'json', active: false },
];
const runtime = (contracts?: { public: boolean }): ContractRuntime =>
  ({
    opts: { config: { host: '127.0.0.1', port: 11223, ...(contracts ? { contracts } : {}) } },
    snapshot: { list: () => channels, get: () => undefined },
    registry: { list: () => [] },
    version: 3,
  }) as unknown as ContractRuntime;
const req = (method = 'GET', headers: Record<string, string> = { host: 'api.example.com' }): IncomingMessage =>
  ({ method, headers, socket: {}, resume: () => undefined }) as unknown as IncomingMessage;

describe('GET /wharf/openapi.json (public)', () => {
  it('is open by default: the active channels only, servers from the Host', async () => {
    expect(contractsArePublic(runtime())).toBe(true);
    const checks: unknown[] = [];
    const get = publicOpenApi(runtime(), async (r) => checks.push(r));
    const r = await get(req(), '');
    const doc = JSON.parse(r.body) as { paths: object; servers: unknown; info: { version: string } };
    expect(Object.keys(doc.paths)).toEqual(['/on']);
    expect(doc.servers).toEqual([{ url: 'http://api.example.com' }]);
    expect(doc.info.version).toBe('3');
    expect(checks).toEqual([]);
    await expect(get(req(), 'channel=off')).rejects.toMatchObject({ code: 'WHARF_ERR_NOT_FOUND', status: 404 });
    await expect(get(req('DELETE'), '')).rejects.toMatchObject({
      code: 'WHARF_ERR_METHOD_NOT_ALLOWED',
      headers: { allow: 'GET, HEAD' },
    });
    await expect(get(req(), 'channel=a&channel=b')).rejects.toMatchObject({ code: 'WHARF_ERR_BAD_REQUEST' });
  });

  it('contracts.public false: the admin check runs first, and its refusal is the answer', async () => {
    const rt = runtime({ public: false });
    expect(contractsArePublic(rt)).toBe(false);
    const refuse = publicOpenApi(rt, async () => {
      throw new Unauthorized('Missing credentials');
    });
    await expect(refuse(req(), '')).rejects.toBeInstanceOf(Unauthorized);
    const allow = publicOpenApi(rt, async () => 'admin');
    expect(JSON.parse((await allow(req(), 'channel=on')).body)).toMatchObject({ paths: { '/on': {} } });
  });
});
