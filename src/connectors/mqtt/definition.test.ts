import { describe, expect, it } from 'vitest';
import { toClientOptions } from './client-options.js';
import { definitionKey, definitionPort, describeDefinition, mqttDefinitionKind } from './definition.js';
import { deadLetterTimeoutMs, serviceTimeLimitMs } from './keepalive.js';

const parse = (o: Record<string, unknown>) => mqttDefinitionKind.schema.parse({ name: 'd', host: 'broker', ...o });

describe('definitions.mqtt', () => {
  it('fills defaults', () => {
    expect(parse({})).toEqual({
      name: 'd',
      active: true,
      host: 'broker',
      clientIdPrefix: 'wharf-',
      keepalive: 60,
      tls: false,
      protocolVersion: 5,
      cleanSession: false,
      sessionExpirySeconds: 604_800,
      connectTimeoutMs: 10_000,
      reconnectMs: 1_000,
    });
  });

  it.each([
    [{ host: '' }, /host: must not be empty/],
    [{ port: 0 }, /port: Too small/],
    [{ protocolVersion: 3 }, /protocolVersion: must be 4 \(MQTT 3.1.1\) or 5/],
    [{ clientIdPrefix: 'a b' }, /clientIdPrefix: may contain only/],
    [{ ca: 'nope' }, /ca: must be one or more PEM certificates/],
    [{ keepalive: -1 }, /keepalive: Too small/],
  ])('refuses %j', (input, message) => {
    const r = mqttDefinitionKind.schema.safeParse({ name: 'd', host: 'broker', ...input });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toMatch(message);
  });

  it('checks cross-field rules', () => {
    expect(
      mqttDefinitionKind.check!(parse({ ca: '-----BEGIN CERTIFICATE-----x', password: 'p' }), { list: () => [] }),
    ).toEqual(['ca: only used with tls: true', 'password: needs a username']);
  });

  it('describes itself without the password, and keys on every connection field', () => {
    const d = parse({ username: 'u', password: 'secret', tls: true });
    expect(definitionPort(d)).toBe(8883);
    expect(describeDefinition(d)).toBe('mqtts://u@broker:8883');
    expect(definitionKey(d)).toBe(definitionKey({ ...d, name: 'other' }));
    expect(definitionKey(d)).not.toBe(definitionKey({ ...d, password: 'other' }));
  });
});

describe('toClientOptions', () => {
  it('maps a persistent MQTT 5 session', () => {
    const o = toClientOptions(parse({ port: 1884, username: 'u', password: 'p', keepalive: 30 }), {
      clientId: 'c1',
      persistent: true,
    });
    expect(o).toMatchObject({
      protocol: 'mqtt',
      host: 'broker',
      port: 1884,
      clientId: 'c1',
      protocolVersion: 5,
      clean: false,
      keepalive: 30,
      username: 'u',
      password: 'p',
      resubscribe: false,
      queueQoSZero: false,
      manualConnect: true,
      reconnectOnConnackError: true,
      properties: { sessionExpiryInterval: 604_800 },
    });
  });

  it('maps a clean MQTT 3.1.1 session with TLS', () => {
    const o = toClientOptions(parse({ protocolVersion: 4, tls: true, ca: '-----BEGIN CERTIFICATE-----' }), {
      clientId: 'c',
      persistent: false,
      autoReconnect: false,
    });
    expect(o).toMatchObject({
      protocol: 'mqtts',
      port: 8883,
      clean: true,
      ca: '-----BEGIN CERTIFICATE-----',
      servername: 'broker',
      rejectUnauthorized: true,
      reconnectPeriod: 0,
    });
    expect(o.properties).toBeUndefined();
    expect(o.username).toBeUndefined();
  });
});

describe('keepalive budgets', () => {
  it('gives the service 40 % and a dead letter 10 % of the keepalive', () => {
    expect(serviceTimeLimitMs(60)).toBe(24_000);
    expect(deadLetterTimeoutMs(60)).toBe(6_000);
    expect(serviceTimeLimitMs(0)).toBe(3_600_000);
    expect(deadLetterTimeoutMs(1)).toBe(500);
  });
});
