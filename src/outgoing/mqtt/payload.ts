/** Turns what a service publishes into MQTT payload bytes (pure, unit-tested). */

export type MqttPayload = string | Buffer | Uint8Array | object | null;

export interface EncodedPayload {
  bytes: Buffer;
  /** Set for payloads Wharf serialised itself (objects → JSON). */
  contentType?: string;
}

/** Strings as UTF-8, bytes as they are, anything else as JSON. */
export function encodePayload(payload: MqttPayload): EncodedPayload {
  if (typeof payload === 'string') return { bytes: Buffer.from(payload, 'utf8') };
  if (Buffer.isBuffer(payload)) return { bytes: payload };
  if (payload instanceof Uint8Array)
    return { bytes: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) };
  const json = JSON.stringify(payload);
  if (json === undefined) throw new TypeError('the payload cannot be serialised as JSON');
  return { bytes: Buffer.from(json, 'utf8'), contentType: 'application/json' };
}
