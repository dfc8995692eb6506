/** What a service sees of an MQTT message besides its payload: `request.headers` (pure, unit-tested). */
import type { IPublishPacket } from 'mqtt';

/**
 * `mqtt-topic`, `mqtt-qos`, `mqtt-retain`, `mqtt-dup`, `mqtt-message-id`, `mqtt-delivery-attempt`,
 * and from MQTT 5 properties `content-type`, `mqtt-response-topic`, `mqtt-correlation-data` (base64),
 * `mqtt-message-expiry-interval`, `mqtt-payload-format`; MQTT 5 user properties are passed under
 * their own names (they cannot replace the `mqtt-*` headers or `content-type`).
 */
export function messageHeaders(
  topic: string,
  packet: Pick<IPublishPacket, 'qos' | 'retain' | 'dup' | 'messageId' | 'properties'>,
  attempt: number,
): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  const props = packet.properties;
  if (props?.userProperties) {
    for (const [k, v] of Object.entries(props.userProperties)) {
      const key = k.toLowerCase();
      if (key.startsWith('mqtt-') || key === 'content-type') continue;
      h[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
  }
  h['mqtt-topic'] = topic;
  h['mqtt-qos'] = String(packet.qos);
  h['mqtt-retain'] = String(Boolean(packet.retain));
  h['mqtt-dup'] = String(Boolean(packet.dup));
  if (packet.messageId !== undefined && packet.qos > 0) h['mqtt-message-id'] = String(packet.messageId);
  h['mqtt-delivery-attempt'] = String(attempt);
  if (props?.contentType !== undefined) h['content-type'] = props.contentType;
  if (props?.responseTopic !== undefined) h['mqtt-response-topic'] = props.responseTopic;
  if (props?.correlationData !== undefined)
    h['mqtt-correlation-data'] = Buffer.from(props.correlationData).toString('base64');
  if (props?.messageExpiryInterval !== undefined)
    h['mqtt-message-expiry-interval'] = String(props.messageExpiryInterval);
  if (props?.payloadFormatIndicator !== undefined)
    h['mqtt-payload-format'] = props.payloadFormatIndicator ? 'utf8' : 'bytes';
  return h;
}
