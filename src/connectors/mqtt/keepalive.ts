/**
 * Time budgets under the MQTT keepalive (pure). mqtt.js handles incoming packets one at a time and a
 * channel acks a QoS 1 message only after its service finished, so a PINGRESP waits behind the message
 * being handled; mqtt.js drops a connection that saw no PINGRESP for 1.5 keepalive intervals, and a
 * ping may have been sent half an interval before. The service gets 40 % of the keepalive, a dead
 * letter publish 10 %, leaving a margin.
 */

/** Longest service timeout for a channel on a definition with `keepaliveSeconds` (0 = no keepalive). */
export function serviceTimeLimitMs(keepaliveSeconds: number): number {
  return keepaliveSeconds > 0 ? keepaliveSeconds * 400 : 3_600_000;
}

/** Bound on publishing one dead letter. */
export function deadLetterTimeoutMs(keepaliveSeconds: number): number {
  return keepaliveSeconds > 0 ? Math.max(500, keepaliveSeconds * 100) : 10_000;
}
