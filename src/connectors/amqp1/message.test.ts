import rhea from 'rhea';
import { describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { buildMessage, encodeBody, idText, messageHeaders, rawBody, redeliveryKey } from './message.js';

const NOW = Date.UTC(2030, 0, 2, 3, 4, 5);

function bodyBytes(m: Record<string, unknown>): Buffer {
  return (m['body'] as { content: Buffer }).content;
}

describe('buildMessage (JMS headers → AMQP 1.0 fields)', () => {
  it('maps every option onto its AMQP field', () => {
    const m = buildMessage(
      'c',
      { durable: true },
      'hi',
      {
        correlationId: 'corr',
        replyTo: '/queue/replies',
        subject: 'OrderCreated',
        priority: 4,
        ttlMs: 1_000,
        applicationProperties: { a: 1, b: 'x', c: true, d: null },
      },
      'ID:1',
      NOW,
    );
    expect(m).toMatchObject({
      durable: true,
      message_id: 'ID:1',
      correlation_id: 'corr',
      reply_to: '/queue/replies',
      subject: 'OrderCreated',
      priority: 4,
      ttl: 1_000,
      content_type: 'text/plain; charset=utf-8',
      application_properties: { a: 1, b: 'x', c: true, d: null },
    });
    expect(m['creation_time']).toEqual(new Date(NOW));
    expect(m['absolute_expiry_time']).toEqual(new Date(NOW + 1_000));
    expect(bodyBytes(m).toString()).toBe('hi');
    expect((m['body'] as { typecode: number }).typecode).toBe(0x75);
  });

  it('takes defaults from the connection and lets a send override them', () => {
    const defaults = {
      durable: true,
      priority: 2,
      ttlMs: 5_000,
      subject: 'S',
      applicationProperties: { env: 'prod', keep: 1 },
    };
    const m = buildMessage(
      'c',
      defaults,
      'x',
      { durable: false, priority: 9, applicationProperties: { env: 'test' } },
      'i',
      NOW,
    );
    expect(m).toMatchObject({
      durable: false,
      priority: 9,
      ttl: 5_000,
      subject: 'S',
      application_properties: { env: 'test', keep: 1 },
    });
    const d = buildMessage('c', { durable: true }, 'x', {}, 'i', NOW);
    expect(d['durable']).toBe(true);
    expect(d).not.toHaveProperty('priority');
    expect(d).not.toHaveProperty('ttl');
    expect(d).not.toHaveProperty('absolute_expiry_time');
    expect(d).not.toHaveProperty('application_properties');
  });

  it('JSON-encodes objects and arrays into one data section; Buffers go as bytes', () => {
    expect(encodeBody('c', [1, { a: 2 }])).toMatchObject({ contentType: 'application/json', jmsType: 5 });
    expect(encodeBody('c', [1, { a: 2 }]).bytes.toString()).toBe('[1,{"a":2}]');
    expect(encodeBody('c', null).bytes.toString()).toBe('null');
    expect(encodeBody('c', Buffer.from([1, 2]))).toMatchObject({ contentType: 'application/octet-stream', jmsType: 3 });
    expect(encodeBody('c', new Uint8Array([7])).bytes).toEqual(Buffer.from([7]));
    expect(encodeBody('c', '<a/>', 'application/xml').contentType).toBe('application/xml');
    const m = buildMessage('c', { durable: true }, [1, 2], {}, 'i', NOW);
    expect(Array.isArray(m['body'])).toBe(false);
    expect(bodyBytes(m).toString()).toBe('[1,2]');
  });

  it('refuses what cannot be sent with a 500 (a service bug) naming the connection and the problem', () => {
    const circular: Record<string, unknown> = {};
    circular['me'] = circular;
    const bad: Array<[() => unknown, RegExp]> = [
      [
        () => encodeBody('orders', undefined),
        /`orders`: body must be a string, a Buffer or a JSON-serialisable value, got undefined/,
      ],
      [() => encodeBody('orders', () => 1), /got function/],
      [() => encodeBody('orders', circular), /cannot be JSON-encoded/],
      [() => encodeBody('orders', { n: 1n }), /cannot be JSON-encoded/],
      [
        () => buildMessage('o', { durable: true }, 'x', { priority: 1.5 }, 'i', NOW),
        /priority must be an integer 0-255/,
      ],
      [() => buildMessage('o', { durable: true }, 'x', { priority: 256 }, 'i', NOW), /priority/],
      [() => buildMessage('o', { durable: true }, 'x', { ttlMs: 0 }, 'i', NOW), /ttlMs must be a positive integer/],
      [() => buildMessage('o', { durable: true }, 'x', {}, '', NOW), /messageId must be a non-empty string/],
      [
        () => buildMessage('o', { durable: true }, 'x', { correlationId: 5 as unknown as string }, 'i', NOW),
        /correlationId/,
      ],
      [
        () =>
          buildMessage(
            'o',
            { durable: true },
            'x',
            { applicationProperties: { list: [1] as unknown as string } },
            'i',
            NOW,
          ),
        /property `list` .* got array/,
      ],
      [
        () => buildMessage('o', { durable: true }, 'x', { applicationProperties: { n: Number.NaN } }, 'i', NOW),
        /property `n`/,
      ],
    ];
    for (const [fn, msg] of bad) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err, String(msg)).toBeInstanceOf(WharfError);
      expect((err as WharfError).status).toBe(500);
      expect((err as WharfError).code).toBe('WHARF_ERR_OUTGOING_USAGE');
      expect((err as WharfError).message).toMatch(msg);
    }
  });
});

describe('rawBody (every incoming body shape → bytes)', () => {
  it('handles data sections, amqp-values and sequences', () => {
    expect(rawBody(rhea.message.data_section(Buffer.from('abc'))).toString()).toBe('abc');
    expect(
      rawBody({ typecode: 0x75, content: [Buffer.from('ab'), Buffer.from('cd')], multiple: true }).toString(),
    ).toBe('abcd');
    expect(rawBody('text').toString()).toBe('text');
    expect(rawBody(Buffer.from([1]))).toEqual(Buffer.from([1]));
    expect(rawBody({ a: 1, b: [true] }).toString()).toBe('{"a":1,"b":[true]}');
    expect(rawBody(42).toString()).toBe('42');
    expect(rawBody(null).toString()).toBe('null');
    expect(rawBody(undefined)).toEqual(Buffer.alloc(0));
    expect(rawBody(rhea.message.sequence_section([1, 2])).toString()).toBe('[1,2]');
    expect(rawBody({ typecode: 0x76, content: [[1], [2]], multiple: true }).toString()).toBe('[1,2]');
    expect(rawBody({ typecode: 0x77, content: 'value' }).toString()).toBe('value');
    expect(rawBody({ big: 10n, bin: Buffer.from('hi') }).toString()).toBe('{"big":"10","bin":"aGk="}');
  });
});

describe('messageHeaders (AMQP 1.0 fields → service headers)', () => {
  it('names AMQP fields as AMQP does and keeps application properties and annotations under theirs', () => {
    const h = messageHeaders({
      message_id: 'ID:1',
      correlation_id: Buffer.from('ab'),
      user_id: Buffer.from('guest'),
      reply_to: '/queue/r',
      subject: 'T',
      content_type: 'application/json',
      creation_time: new Date(NOW),
      durable: true,
      priority: 4,
      ttl: 100,
      first_acquirer: false,
      delivery_count: 2,
      application_properties: { region: 'eu', n: 3, priority: 'app-side' },
      message_annotations: { 'x-opt-jms-msg-type': 5, 'x-death': [{ count: 1 }] },
    });
    expect(h).toEqual({
      region: 'eu',
      n: '3',
      priority: '4',
      'x-opt-jms-msg-type': '5',
      'x-death': '[{"count":1}]',
      'message-id': 'ID:1',
      'correlation-id': '6162',
      'user-id': 'guest',
      'reply-to': '/queue/r',
      subject: 'T',
      'content-type': 'application/json',
      'creation-time': new Date(NOW).toISOString(),
      durable: 'true',
      ttl: '100',
      'first-acquirer': 'false',
      'delivery-count': '2',
    });
  });

  it('leaves out absent fields', () => {
    expect(messageHeaders({ body: 'x' })).toEqual({});
    expect(messageHeaders({ application_properties: { gone: null } })).toEqual({});
  });
});

describe('redeliveryKey and idText', () => {
  it('uses the message-id, else a hash of the body', () => {
    expect(redeliveryKey({ message_id: 'abc' }, Buffer.from('x'))).toBe('id:abc');
    expect(redeliveryKey({ message_id: 7 }, Buffer.from('x'))).toBe('id:7');
    const a = redeliveryKey({}, Buffer.from('same'));
    expect(a).toMatch(/^sha256:/);
    expect(redeliveryKey({ message_id: '' }, Buffer.from('same'))).toBe(a);
    expect(redeliveryKey({}, Buffer.from('other'))).not.toBe(a);
  });

  it('shows binary and UUID ids as hex', () => {
    expect(idText(Buffer.from([0xab, 0x01]))).toBe('ab01');
    expect(idText({ value: Buffer.from([1]) })).toBe('01');
    expect(idText(undefined)).toBeUndefined();
    expect(idText(12n)).toBe('12');
  });
});
