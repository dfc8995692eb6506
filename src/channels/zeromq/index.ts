/**
 * ZeroMQ channels: `channels.zeromq`. Placement is per worker; an instance whose socket must exist
 * once per cluster (bind, or SUB) takes a lease itself, so connecting PULL sockets still spread over
 * every worker.
 */
import type { ConnectorKind } from '../../connectors/types.js';
import { ZeromqChannel } from './channel.js';
import { zeromqChannelDeclaration, type ZeromqChannelConfig } from './kind.js';

export const zeromqChannelConnector: ConnectorKind<ZeromqChannelConfig> = {
  ...zeromqChannelDeclaration,
  create: (config, ctx) => new ZeromqChannel(config, ctx),
};

export { zeromqChannelKind, needsLease, type ZeromqChannelConfig } from './kind.js';
export { ZeromqChannel } from './channel.js';
export { fromFrames, type ReceivedMessage } from './frames.js';
