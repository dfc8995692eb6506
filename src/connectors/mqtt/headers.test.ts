import { describe, expect, it } from 'vitest';
import { messageHeaders } from './headers.js';

describe('messageHeaders', () => {
  it('names the topic, QoS, flags and attempt', () => {
    expect(messageHeaders('a/b', { qos: 1, retain: false, dup: true, messageId: 12 }, 2)).toEqual({
      'mqtt-topic': 'a/b',
      'mqtt-qos': '1',
      'mqtt-retain': 'false',
      'mqtt-dup': 'true',
      'mqtt-message-id': '12',
      'mqtt-delivery-attempt': '2',
    });
  });

  it('omits the packet id of QoS 0 messages', () => {
    expect(messageHeaders('t', { qos: 0, retain: true, dup: false }, 1)).not.toHaveProperty('mqtt-message-id');
  });

  it('maps MQTT 5 properties; user properties cannot replace the mqtt-* headers', () => {
    const h = messageHeaders(
      't',
      {
        qos: 1,
        retain: false,
        dup: false,
        messageId: 1,
        properties: {
          contentType: 'application/json',
          responseTopic: 'r/1',
          correlationData: Buffer.from('xyz'),
          messageExpiryInterval: 30,
          payloadFormatIndicator: true,
          userProperties: { tenant: 'acme', tags: ['a', 'b'], 'MQTT-Topic': 'spoof', 'Content-Type': 'text/evil' },
        },
      },
      1,
    );
    expect(h).toMatchObject({
      'mqtt-topic': 't',
      'content-type': 'application/json',
      'mqtt-response-topic': 'r/1',
      'mqtt-correlation-data': Buffer.from('xyz').toString('base64'),
      'mqtt-message-expiry-interval': '30',
      'mqtt-payload-format': 'utf8',
      tenant: 'acme',
      tags: ['a', 'b'],
    });
    expect(h).not.toHaveProperty('MQTT-Topic');
    expect(h).not.toHaveProperty('Content-Type');
  });
});
