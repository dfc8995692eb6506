/**
 * The connector behind an HTTP-based outgoing connection: owns the Transport, applies edits live
 * (the next request uses them; a new Pool only when address, pool size or TLS changed) and stops
 * within a bound, letting in-flight requests finish first.
 */
import type { Connector, ConnectorContext, ConnectorHealth } from '../../connectors/types.js';
import { WharfError } from '../../errors.js';
import { transportProblems, type TransportConfig } from './fields.js';
import { Transport } from './transport.js';

export const STOP_DRAIN_MS = 5_000;

/** A config error the schema cannot see (cross-field), or undefined. */
export function configProblem(c: TransportConfig, kind: 'HTTP' | 'SOAP'): WharfError | undefined {
  const problems = transportProblems(c);
  return problems.length > 0
    ? new WharfError('WHARF_ERR_CONFIG_INVALID', [`${kind} connection \`${c.name}\`: ${problems.join('; ')}`])
    : undefined;
}

export class TransportConnector<C extends TransportConfig, H> implements Connector<C> {
  readonly transport: Transport<C>;
  private readonly handleObj: H;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly kind: 'HTTP' | 'SOAP',
    config: C,
    ctx: ConnectorContext,
    makeHandle: (t: Transport<C>) => H,
  ) {
    this.transport = new Transport(kind, config, ctx);
    this.transport.broken = configProblem(config, kind);
    this.handleObj = makeHandle(this.transport);
  }

  /** Connections open on first use; start only refuses a config that cannot work. */
  async start(): Promise<void> {
    if (this.transport.broken) throw this.transport.broken;
  }

  /** A config that cannot work is refused and the previous one stays in use. */
  async reconfigure(config: C): Promise<void> {
    if (this.stopping) throw new WharfError('WHARF_ERR_CONNECTION_INACTIVE', [config.name]);
    const problem = configProblem(config, this.kind);
    if (problem) throw problem;
    this.transport.update(config);
    this.transport.broken = undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= this.transport.close(STOP_DRAIN_MS);
    return this.stopping;
  }

  health(): ConnectorHealth {
    return this.transport.health();
  }

  handle(): H {
    return this.handleObj;
  }
}
