/** ZeroMQ endpoint addresses shared by ZeroMQ channels and outgoing connections (pure, unit-tested). */

const TCP_RE = /^tcp:\/\/(\*|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

import { z } from 'zod';

/**
 * Why `address` is not usable, or undefined. Accepted: `tcp://host:port` (with `bind`, the host may
 * be `*` for every interface) and `ipc:///path/to/socket`.
 */
export function addressProblem(address: string, bind: boolean): string | undefined {
  if (address.startsWith('ipc://'))
    return address.length > 'ipc://'.length ? undefined : 'ipc:// needs a socket path: ipc:///run/wharf/orders.sock';
  const m = TCP_RE.exec(address);
  if (!m) return 'must look like tcp://host:port (or ipc:///path)';
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return 'the port must be between 1 and 65535';
  if (m[1] === '*' && !bind) return 'tcp://*:port is for binding; to connect, name a host';
  return undefined;
}

/** The `address` field of ZeroMQ kinds (the bind-only `*` host is checked against `bind` in `check`). */
export const addressField = z
  .string()
  .superRefine((s, ctx) => {
    const problem = addressProblem(s, true);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Endpoint: tcp://host:port (tcp://*:port to bind on every interface) or ipc:///path');
