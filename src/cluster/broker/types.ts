/**
 * The broker tells every worker of every server that the config changed. Messages carry only the
 * new version: workers read what changed from the ODB (`changesSince`), so a lost message delays a
 * change until the next message or poll, and never loses it.
 */
export interface Broker {
  /** Announces that the config is now at `version`. */
  publish(version: number): Promise<void>;
  /** Registers the listener for announcements (including this worker's own). */
  subscribe(listener: (version: number) => void): void;
  /** Called after a reconnect: the listener should resync from the ODB. */
  onReconnect?(listener: () => void): void;
  close(): Promise<void>;
}
