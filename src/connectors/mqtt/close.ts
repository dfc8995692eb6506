/** Closing an mqtt.js client within a bound, whatever state its connection is in. */
import type { MqttClient } from 'mqtt';

/**
 * Sends DISCONNECT when connected (a persistent session stays on the broker) and closes the socket;
 * gives up waiting after `ms` and destroys the socket. Never rejects; clears every timer it set.
 */
export function closeClient(client: MqttClient, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.stream?.destroy();
      // end(true) is a no-op once disconnecting, but stops reconnect timers if it was never called
      client.end(true, () => finish());
      setImmediate(finish);
    }, ms);
    try {
      client.end(!client.connected, () => finish());
    } catch {
      finish();
    }
  });
}
