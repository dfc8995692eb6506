import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { encodeMessage, preparePublish } from './encode.js';
import { amqpOutgoingKind } from './kind.js';

const cfg = (o: Record<string, unknown> = {}) =>
  amqpOutgoingKind.schema.parse({ name: 'orders', definition: 'rabbit', routingKey: 'orders.new', ...o });

describe('encodeMessage', () => {
  it('encodes strings, bytes and JSON values', () => {
    expect(encodeMessage('x', 'héllo')).toEqual({
      body: Buffer.from('héllo'),
      contentType: 'text/plain; charset=utf-8',
    });
    expect(encodeMessage('x', Buffer.from([1, 2])).contentType).toBe('application/octet-stream');
    expect(encodeMessage('x', new Uint8Array([3])).body).toEqual(Buffer.from([3]));
    expect(encodeMessage('x', { a: [1] })).toEqual({ body: Buffer.from('{"a":[1]}'), contentType: 'application/json' });
    expect(encodeMessage('x', null).body.toString()).toBe('null');
  });
  it('refuses what cannot be encoded, naming the connection', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodeMessage('orders', cyclic)).toThrow(/AMQP outgoing `orders`: the message cannot be JSON-encoded/);
    expect(() => encodeMessage('orders', undefined)).toThrow(/needs a message/);
    expect(() => encodeMessage('orders', () => 1)).toThrow(WharfError);
  });
});

describe('preparePublish', () => {
  it('applies connection defaults and per-call options', () => {
    const p = preparePublish(
      cfg({ priority: 1, appId: 'wharf', expiration: 60000, contentEncoding: 'identity' }),
      { a: 1 },
      { headers: { h: 1 }, correlationId: 'c' },
    );
    expect(p.exchange).toBe('');
    expect(p.routingKey).toBe('orders.new');
    expect(p.options).toMatchObject({
      deliveryMode: 2,
      priority: 1,
      appId: 'wharf',
      expiration: '60000',
      contentType: 'application/json',
      contentEncoding: 'identity',
      headers: { h: 1 },
      correlationId: 'c',
    });
    expect(p.options.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const q = preparePublish(cfg({ contentType: 'text/csv' }), 'a,b', {
      routingKey: 'x',
      exchange: 'ex',
      priority: 9,
      messageId: 'm',
      deliveryMode: 1,
      contentType: 'text/x',
    });
    expect(q).toMatchObject({
      exchange: 'ex',
      routingKey: 'x',
      options: { priority: 9, messageId: 'm', deliveryMode: 1, contentType: 'text/x' },
    });
  });
  it('refuses bad options with a clear 400', () => {
    const err = (o: unknown) => {
      try {
        preparePublish(cfg(), 'x', o);
        return undefined;
      } catch (e) {
        return e as WharfError;
      }
    };
    expect(err({ priority: 300 })?.message).toMatch(/invalid send options: priority/);
    expect(err({ routing_key: 'x' })?.message).toMatch(/routing_key: unknown field/);
    expect(err({ expiration: 'soon' })?.status).toBe(400);
    expect(() => preparePublish(cfg({ routingKey: '' }), 'x', {})).toThrow(/no routing key/);
    expect(() => preparePublish(cfg({ routingKey: '', exchange: 'fanout' }), 'x', {})).not.toThrow();
  });
});

describe('outgoing.amqp config', () => {
  it('fills defaults and refuses bad values', () => {
    expect(cfg()).toMatchObject({
      exchange: '',
      deliveryMode: 2,
      publisherConfirms: true,
      mandatory: true,
      sendTimeoutMs: 10_000,
    });
    const r = amqpOutgoingKind.schema.safeParse({ name: 'x', definition: 'd', deliveryMode: 3 });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]!.message).toMatch(/must be 1 \(transient\) or 2 \(persistent\)/);
  });
  it("checks userId against the definition's username", () => {
    const ctx = { list: () => [{ name: 'rabbit', active: true, username: 'app' }] };
    expect(amqpOutgoingKind.check?.(cfg({ userId: 'bob' }), ctx)?.[0]).toMatch(/userId: .*\(`app`\)/);
    expect(amqpOutgoingKind.check?.(cfg({ userId: 'app' }), ctx)).toEqual([]);
  });
});
