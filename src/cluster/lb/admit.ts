/**
 * Fast admission: HAProxy's own checks need `rise` successes before a server that is down takes
 * traffic. After HAProxy starts or reloads, the agent polls every server's GET /wharf/ping itself
 * (every 20 ms, after 15 s every 250 ms, for a minute) and, as soon as one answers 200, tells HAProxy on the stats socket
 * `set server wharf_servers/NAME health up`. HAProxy's checks go on as before: a server that stops
 * answering is still taken out after `fall` failed checks. Without a stats socket nothing is sent
 * (HAProxy's checks admit the server, `downCheckIntervalMs` apart).
 */
import { get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { BACKEND, serverNames, type Backend } from './haproxy-config.js';

/** One command on HAProxy's stats socket; resolves with its answer. */
export function haproxyCommand(socket: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let out = '';
    c.setEncoding('utf8');
    c.setTimeout(timeoutMs, () => c.destroy(new Error(`stats socket ${socket}: no answer to "${command}"`)));
    c.on('connect', () => c.end(`${command}\n`));
    c.on('data', (d: string) => (out += d));
    c.on('error', reject);
    c.on('close', () => resolve(out.trim()));
  });
}

/** The operational state of each server of the backend, by name (`UP`, `DOWN`, ...), from `show stat`. */
export async function serverStates(socket: string): Promise<Map<string, string>> {
  const csv = await haproxyCommand(socket, 'show stat');
  const states = new Map<string, string>();
  for (const line of csv.split('\n')) {
    const [px, sv, ...rest] = line.split(',');
    // pxname,svname,...,status is the 18th field (index 17).
    if (px === BACKEND && sv && sv !== 'BACKEND' && sv !== 'FRONTEND') states.set(sv, rest[15] ?? '');
  }
  return states;
}

/** GET /wharf/ping with node:http; true on a 200. */
export function pingServer(b: Backend, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(
      {
        host: b.host === '0.0.0.0' ? '127.0.0.1' : b.host,
        port: b.port,
        path: '/wharf/ping',
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export interface Admission {
  /** Resolves when every server was admitted or the window closed; the names admitted. */
  done: Promise<string[]>;
  cancel(): void;
}

/**
 * Polls each backend until it answers (or `windowMs` passes, or `cancel()`), then sets it up in
 * HAProxy. `onAdmit` is told each admission (for the log).
 */
export function admitWhenAnswering(
  backends: readonly Backend[],
  socket: string,
  opts: { windowMs?: number; onAdmit?: (name: string) => void; onError?: (e: unknown) => void } = {},
): Admission {
  let cancelled = false;
  const names = serverNames(backends);
  const deadline = Date.now() + (opts.windowMs ?? 60_000);
  const slowAfter = Date.now() + 15_000;
  const one = async (b: Backend, name: string): Promise<string | undefined> => {
    while (!cancelled && Date.now() < deadline) {
      if (await pingServer(b)) {
        if (cancelled) return undefined;
        try {
          await haproxyCommand(socket, `set server ${BACKEND}/${name} health up`);
          opts.onAdmit?.(name);
          return name;
        } catch (e) {
          opts.onError?.(e);
          return undefined;
        }
      }
      // Every 20 ms for the first 15 s (a refused connection costs next to nothing), then 250 ms.
      await new Promise((r) => setTimeout(r, Date.now() < slowAfter ? 20 : 250));
    }
    return undefined;
  };
  const done = Promise.all(backends.map((b, i) => one(b, names[i]!))).then((r) =>
    r.filter((n): n is string => n !== undefined),
  );
  return {
    done,
    cancel: () => {
      cancelled = true;
    },
  };
}
