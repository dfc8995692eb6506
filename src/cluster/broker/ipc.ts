/**
 * The embedded default's broker: workers send announcements to the primary process over the
 * node:cluster IPC channel, and the primary relays them to every worker of the server.
 */
import type { Broker } from './types.js';

export const IPC_CHANGED = 'wharf:config-changed';

export interface ChangedMessage {
  type: typeof IPC_CHANGED;
  version: number;
}

export function isChangedMessage(m: unknown): m is ChangedMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === IPC_CHANGED;
}

export class IpcBroker implements Broker {
  private listeners = new Set<(version: number) => void>();
  private readonly onMessage = (m: unknown): void => {
    if (isChangedMessage(m)) for (const l of this.listeners) l(m.version);
  };

  constructor() {
    process.on('message', this.onMessage);
  }

  async publish(version: number): Promise<void> {
    const msg: ChangedMessage = { type: IPC_CHANGED, version };
    if (process.send) process.send(msg);
    else for (const l of this.listeners) l(version);
  }

  subscribe(listener: (version: number) => void): void {
    this.listeners.add(listener);
  }

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    this.listeners.clear();
  }
}
