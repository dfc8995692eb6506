/** The part of an AMQP 1.0 connector's health that comes from its connection. */
import type { ConnectorHealth } from '../types.js';
import type { Amqp1Connection } from './connection.js';

/** `starting`/`down` while the connection is not up; undefined once it is (the link decides then). */
export function connectionHealth(conn: Pick<Amqp1Connection, 'state' | 'lastError'>): ConnectorHealth | undefined {
  const s = conn.state;
  if (s === 'idle' || s === 'connecting')
    return conn.lastError ? { status: 'down', detail: conn.lastError } : { status: 'starting' };
  if (s !== 'up') return { status: 'down', detail: conn.lastError ?? 'not connected' };
  return undefined;
}
