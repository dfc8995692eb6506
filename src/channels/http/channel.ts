/** The HTTP channel connector: starting it adds its route to the worker's router; stopping removes it. */
import type { Connector, ConnectorContext, ConnectorHealth, ConnectorKind } from '../../connectors/types.js';
import { httpChannelKind, type HttpChannelConfig } from './kind.js';
import { buildRoute } from './route.js';
import { httpRouter, type ChannelRouter } from './router.js';

export class HttpChannel implements Connector<HttpChannelConfig> {
  private state: ConnectorHealth = { status: 'stopped' };

  constructor(
    private config: HttpChannelConfig,
    private readonly ctx: ConnectorContext,
    private readonly router: ChannelRouter<unknown> = httpRouter,
  ) {}

  async start(): Promise<void> {
    this.install();
  }

  async reconfigure(config: HttpChannelConfig): Promise<void> {
    if (config.name !== this.config.name) this.router.remove(this.config.name);
    this.config = config;
    this.install();
  }

  async stop(): Promise<void> {
    this.router.remove(this.config.name);
    this.state = { status: 'stopped' };
  }

  health(): ConnectorHealth {
    return this.state;
  }

  private install(): void {
    try {
      this.router.set(this.config.name, this.config.method, this.config.urlPath, buildRoute(this.config, this.ctx));
      this.state = { status: 'up' };
    } catch (e) {
      this.state = { status: 'down', detail: e instanceof Error ? e.message : String(e) };
      this.ctx.logger.error(
        `channel ${this.config.name}: cannot route ${this.config.method} ${this.config.urlPath}: ${this.state.detail}`,
      );
    }
  }
}

export const httpChannelConnector: ConnectorKind<HttpChannelConfig> = {
  kind: httpChannelKind,
  placement: 'worker',
  create: (config, ctx) => new HttpChannel(config, ctx),
};
