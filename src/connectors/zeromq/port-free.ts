/**
 * Waits until a TCP address a ZeroMQ socket was bound to is free again. `unbind` hands the close of
 * the listening socket to ZeroMQ's I/O thread, which runs at a lower priority (io-threads.ts) and so
 * may close it a moment later; stop() waits for it, so the address can be bound again at once.
 */
import { createServer } from 'node:net';

function tryListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Resolves once `tcp://host:port` can be listened on (or after `maxMs`); other transports at once. */
export async function waitPortFree(address: string, maxMs = 500): Promise<void> {
  const m = /^tcp:\/\/(.+):(\d+)$/.exec(address);
  if (!m) return;
  const host = m[1] === '*' ? '0.0.0.0' : m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  const until = Date.now() + maxMs;
  while (!(await tryListen(host, port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
}
