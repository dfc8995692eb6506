/**
 * The load balancer's object kind, registered on its own: a worker (whose admin API serves the kind)
 * imports this, not the agent and the Redis client the agent needs.
 */
import { findKind, registerKind } from '../../config/registry.js';
import { loadBalancerKind } from './kind.js';

export const LB_KIND = loadBalancerKind.id;

export function ensureLbKind(): void {
  if (!findKind(LB_KIND)) registerKind(loadBalancerKind);
}
