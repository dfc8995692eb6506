import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestContext } from '../../../test/support/connectors/context.js';
import { UpstreamError } from './errors.js';
import type { TransportConfig } from './fields.js';
import { outgoingHttp, type OutgoingHttpConfig } from './index.js';
import { SocketPool } from './raw/socket-pool.js';
import { Transport } from './transport.js';

const servers: (Server | NetServer)[] = [];
const transports: Transport<TransportConfig>[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const t of transports.splice(0)) await t.close(100);
  for (const s of servers.splice(0)) {
    (s as Server).closeAllConnections?.();
    s.close();
  }
});

async function listen<S extends Server | NetServer>(s: S): Promise<number> {
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

function transport(address: string, over: Record<string, unknown> = {}): Transport<TransportConfig> {
  const cfg = outgoingHttp.kind.schema.parse({ name: 'T', address, ...over }) as OutgoingHttpConfig;
  const t = new Transport('HTTP', cfg, createTestContext());
  transports.push(t);
  return t;
}

describe('Transport with Wharf’s HTTP client', () => {
  it('sends buffered requests to http: through the SocketPool, stream bodies through undici', async () => {
    const port = await listen(createServer((q, res) => q.pipe(res)));
    const acquire = vi.spyOn(SocketPool.prototype, 'acquire');
    const t = transport(`http://127.0.0.1:${port}`);
    const x = await t.send({ method: 'POST', path: '/', body: 'buffered' });
    expect(x.body.toString()).toBe('buffered');
    expect(acquire).toHaveBeenCalledTimes(1);
    const s = await t.send({ method: 'POST', path: '/', body: Readable.from([Buffer.from('streamed')]) });
    expect(s.body.toString()).toBe('streamed');
    expect(acquire).toHaveBeenCalledTimes(1);
  });

  it('maps refused, reset and malformed answers like undici’s errors', async () => {
    const refusedPort = await listen(createNetServer());
    servers.pop()!.close();
    const refused = await transport(`http://127.0.0.1:${refusedPort}`)
      .send({ method: 'GET', path: '/' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamError);
    expect(refused).toMatchObject({ reason: 'refused', notSent: true, transient: true, errorCode: 'ECONNREFUSED' });

    const answers = ['HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc', 'nonsense\r\n\r\n'];
    const port = await listen(createNetServer((s) => s.once('data', () => s.end(answers.shift()!))));
    const t = transport(`http://127.0.0.1:${port}`);
    const reset = await t.send({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(reset).toMatchObject({ reason: 'reset', transient: true, errorCode: 'ECONNRESET' });
    expect((reset as Error).message).toMatch(/was closed before a complete answer \(other side closed\)/);
    const malformed = await t.send({ method: 'GET', path: '/' }).catch((e: unknown) => e);
    expect(malformed).toMatchObject({ reason: 'malformed', errorCode: 'HPE_INVALID_CONSTANT' });
    expect(t.health().status).toBe('degraded');
  });

  it('an invalid header is a usage error', async () => {
    const t = transport('http://127.0.0.1:9');
    const e = await t.send({ method: 'GET', path: '/', headers: { 'x-bad': 'a\r\nb' } }).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'WHARF_ERR_OUTGOING_USAGE', reason: 'invalid' });
  });
});
