import { describe, expect, it } from 'vitest';
import { createTestContext } from '../../../test/support/connectors/context.js';
import { amqp1DefinitionKind } from './definition.js';
import { connectionOptions, definitionKey, plainResponse, resolveDefinition } from './options.js';

const base = { name: 'mq', host: 'broker.example', username: 'app', password: 'secret' };
const parse = (o: Record<string, unknown>) => amqp1DefinitionKind.schema.parse(o);
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

describe('definitions.amqp1', () => {
  it('fills defaults: port 5672, PLAIN, no TLS, 30 s idle timeout', () => {
    expect(parse(base)).toMatchObject({
      port: 5672,
      saslMechanism: 'PLAIN',
      tls: false,
      idleTimeoutMs: 30_000,
      active: true,
    });
    expect(amqp1DefinitionKind.secrets).toEqual(['password', 'key']);
  });

  it('refuses bad fields and inconsistent combinations with field: reason', () => {
    expect(amqp1DefinitionKind.schema.safeParse({ ...base, port: 70000 }).success).toBe(false);
    expect(amqp1DefinitionKind.schema.safeParse({ ...base, saslMechanism: 'GSSAPI' }).success).toBe(false);
    expect(amqp1DefinitionKind.schema.safeParse({ ...base, ca: 'not pem' }).success).toBe(false);
    const check = (o: Record<string, unknown>) => amqp1DefinitionKind.check?.(parse(o), { list: () => [] });
    expect(check({ name: 'x', host: 'h' })).toEqual([
      'username: required with saslMechanism PLAIN',
      'password: required with saslMechanism PLAIN',
    ]);
    expect(check({ name: 'x', host: 'h', saslMechanism: 'EXTERNAL' })?.join('\n')).toMatch(
      /tls: SASL EXTERNAL .* set tls: true[\s\S]*cert: SASL EXTERNAL needs cert and key/,
    );
    expect(check({ ...base, tls: true, cert: PEM })).toEqual(['key: cert and key must be given together']);
    expect(check({ ...base, ca: PEM })).toEqual(['tls: ca, cert and key are only used with tls: true']);
    expect(check({ name: 'x', host: 'h', saslMechanism: 'ANONYMOUS' })).toBeUndefined();
    expect(check(base)).toBeUndefined();
  });
});

describe('connectionOptions', () => {
  it('turns rhea reconnect off and Nagle off, sets heartbeats and the container id', () => {
    const o = connectionOptions(
      parse({ ...base, containerId: 'client-1', idleTimeoutMs: 10_000 }),
      'conn-1',
    ) as unknown as Record<string, unknown>;
    expect(o).toMatchObject({
      id: 'conn-1',
      host: 'broker.example',
      port: 5672,
      reconnect: false,
      tcp_no_delay: true,
      idle_time_out: 10_000,
      container_id: 'client-1',
      transport: 'tcp',
    });
    expect(Object.keys(o['sasl_mechanisms'] as object)).toEqual(['PLAIN']);
    const noBeat = connectionOptions(parse({ ...base, idleTimeoutMs: 0 }), 'c') as unknown as Record<string, unknown>;
    expect(noBeat['idle_time_out']).toBeUndefined();
  });

  it('verifies TLS servers and passes CA, client cert and key', () => {
    const o = connectionOptions(
      parse({ ...base, tls: true, port: 5671, ca: PEM, cert: PEM, key: PEM.replace(/CERTIFICATE/g, 'PRIVATE KEY') }),
      'c',
    ) as unknown as Record<string, unknown>;
    expect(o).toMatchObject({
      transport: 'tls',
      servername: 'broker.example',
      rejectUnauthorized: true,
      ca: PEM,
      cert: PEM,
    });
  });

  it('offers exactly the configured SASL mechanism', () => {
    const mechs = (o: Record<string, unknown>) =>
      Object.keys((connectionOptions(parse(o), 'c') as unknown as { sasl_mechanisms: object }).sasl_mechanisms);
    expect(mechs({ name: 'x', host: 'h', saslMechanism: 'ANONYMOUS' })).toEqual(['ANONYMOUS']);
    expect(mechs({ name: 'x', host: 'h', saslMechanism: 'EXTERNAL', tls: true, cert: PEM, key: PEM })).toEqual([
      'EXTERNAL',
    ]);
  });

  it("encodes PLAIN credentials as UTF-8 (rhea's own PLAIN truncates non-ASCII)", async () => {
    expect(plainResponse('jürgen', 'pässwörd€')).toEqual(
      Buffer.concat([Buffer.from([0]), Buffer.from('jürgen'), Buffer.from([0]), Buffer.from('pässwörd€')]),
    );
    const mech = (
      connectionOptions(parse({ ...base, username: 'jürgen', password: 'p€' }), 'c') as unknown as {
        sasl_mechanisms: Record<string, () => { start(cb: (e: unknown, r: Buffer) => void): void }>;
      }
    ).sasl_mechanisms['PLAIN']?.();
    const response = await new Promise<Buffer>((r) => mech?.start((_e, buf) => r(buf)));
    expect(response.toString('utf8')).toBe('\0jürgen\0p€');
  });
});

describe('resolveDefinition', () => {
  it('returns the parsed definition, or a clear error when missing, inactive or invalid', () => {
    const ctx = createTestContext({
      objects: {
        'definitions.amqp1/ok': { ...base, name: 'ok', active: true },
        'definitions.amqp1/off': { ...base, name: 'off', active: false },
        'definitions.amqp1/bad': { name: 'bad', active: true, host: 'h', saslMechanism: 'PLAIN' },
      },
    });
    expect(resolveDefinition(ctx, 'ok')).toMatchObject({ host: 'broker.example', port: 5672 });
    expect(() => resolveDefinition(ctx, 'nope')).toThrow('AMQP 1.0 definition `nope` does not exist');
    expect(() => resolveDefinition(ctx, 'off')).toThrow('Connection `off` is not active');
    expect(() => resolveDefinition(ctx, 'bad')).toThrow(/AMQP 1.0 definition `bad`: username: required/);
  });

  it('changes its key when anything that needs a new connection changes', () => {
    const a = parse(base);
    expect(definitionKey(a)).toBe(definitionKey(parse(base)));
    expect(definitionKey(a)).not.toBe(definitionKey(parse({ ...base, password: 'new' })));
    expect(definitionKey(a)).not.toBe(definitionKey(parse({ ...base, port: 5673 })));
  });
});
