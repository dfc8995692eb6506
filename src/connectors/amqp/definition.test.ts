import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { toConnectArgs } from './connect-options.js';
import { amqpDefinitionKind, definitionKey, definitionPort, describeDefinition } from './definition.js';

const parse = (o: Record<string, unknown>) =>
  amqpDefinitionKind.schema.parse({ name: 'rabbit', host: 'mq.example.com', username: 'app', ...o });

describe('definitions.amqp', () => {
  it('fills defaults', () => {
    const d = parse({});
    expect(d).toMatchObject({
      vhost: '/',
      heartbeat: 30,
      tls: false,
      password: '',
      active: true,
      connectTimeoutMs: 10_000,
    });
    expect(definitionPort(d)).toBe(5672);
    expect(definitionPort(parse({ tls: true }))).toBe(5671);
    expect(definitionPort(parse({ tls: true, port: 6000 }))).toBe(6000);
  });

  it('refuses bad fields with clear messages', () => {
    const bad = (o: Record<string, unknown>) => {
      const r = amqpDefinitionKind.schema.safeParse({ name: 'x', host: 'h', username: 'u', ...o });
      return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(bad({ frameMax: 100 })).toMatch(/frameMax: must be 0 \(no limit\) or at least 4096/);
    expect(bad({ port: 70000 })).toMatch(/port/);
    expect(bad({ host: '' })).toMatch(/host: must not be empty/);
    expect(bad({ ca: 'not a cert' })).toMatch(/ca: must be one or more PEM certificates/);
    expect(bad({ hearbeat: 5 })).toMatch(/Unrecognized key: "hearbeat"/);
    expect(bad({ frameMax: 0 })).toBe('');
  });

  it('checks cross-field rules', () => {
    const ctx = { list: () => [] };
    expect(
      amqpDefinitionKind.check?.(parse({ ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }), ctx),
    ).toContain('ca: only used with tls: true');
    expect(amqpDefinitionKind.check?.(parse({ reconnectDelayMs: 5000, reconnectMaxDelayMs: 1000 }), ctx)?.[0]).toMatch(
      /reconnectMaxDelayMs/,
    );
    expect(amqpDefinitionKind.check?.(parse({}), ctx)).toEqual([]);
  });

  it('describes itself without the password', () => {
    expect(describeDefinition(parse({ password: 's3cret', vhost: 'prod' }))).toBe(
      'amqp://app@mq.example.com:5672/prod',
    );
  });

  it('changes its key with any connection setting, not with the name', () => {
    const a = parse({});
    expect(definitionKey(a)).toBe(definitionKey({ ...a, name: 'other' }));
    expect(definitionKey(a)).not.toBe(definitionKey(parse({ heartbeat: 10 })));
    expect(definitionKey(a)).not.toBe(definitionKey(parse({ password: 'new' })));
  });
});

describe('toConnectArgs', () => {
  it('maps plain connections', () => {
    const { url, socket } = toConnectArgs(
      parse({ password: 'pw', vhost: 'v', heartbeat: 15, frameMax: 8192, connectionName: 'billing' }),
      'channel orders',
    );
    expect(url).toMatchObject({
      protocol: 'amqp',
      hostname: 'mq.example.com',
      port: 5672,
      vhost: 'v',
      username: 'app',
      password: 'pw',
      heartbeat: 15,
      frameMax: 8192,
    });
    expect(socket.clientProperties).toEqual({ connection_name: 'billing (channel orders)' });
    expect(socket.timeout).toBe(10_000);
    expect(socket.ca).toBeUndefined();
  });

  it('maps TLS with a CA and SNI for host names only', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const a = toConnectArgs(parse({ tls: true, ca: pem }), 'outgoing x');
    expect(a.url.protocol).toBe('amqps');
    expect(a.url.port).toBe(5671);
    expect(a.socket.ca).toEqual([pem]);
    expect(a.socket.servername).toBe('mq.example.com');
    expect(toConnectArgs(parse({ tls: true, host: '10.0.0.1' }), 'x').socket.servername).toBeUndefined();
    expect(toConnectArgs(parse({}), '').socket.clientProperties).toEqual({ connection_name: 'wharf' });
  });
});

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 1000, jitter: 0 };
  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, opts))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
  it('keeps jitter within bounds and under the cap', () => {
    for (const r of [0, 0.5, 0.999]) {
      const d = backoffDelay(2, { initialMs: 100, maxMs: 1000, jitter: 0.2 }, () => r);
      expect(d).toBeGreaterThanOrEqual(160);
      expect(d).toBeLessThanOrEqual(240);
    }
    expect(backoffDelay(10, { initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0.999)).toBeLessThanOrEqual(1000);
  });
});
