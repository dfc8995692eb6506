/**
 * Memory ceilings of a worker (server.yaml `recycle`): every `checkMs` the worker samples its heap
 * used and resident set; past `heapMb` or `rssMb` it logs and asks the primary, once, to replace it
 * gracefully. `--max-old-space-size` a margin above `heapMb` is the hard stop (see heapHardLimitMb).
 */
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import { RECYCLE, type RecycleRequest } from './ipc.js';

const MB = 1024 * 1024;

/** V8's old-space size for workers: a margin above the recycle threshold, so a graceful recycle comes first. */
export function heapHardLimitMb(heapMb: number): number {
  return heapMb + Math.max(256, Math.round(heapMb / 4));
}

/** Why a worker using `rssMb`/`heapMb` should be recycled, or undefined. */
export function overLimit(
  limits: ServerConfig['recycle'],
  usage: { rssMb: number; heapMb: number },
): string | undefined {
  if (limits.rssMb > 0 && usage.rssMb > limits.rssMb)
    return `RSS ${usage.rssMb} MB is over recycle.rssMb ${limits.rssMb} MB`;
  if (limits.heapMb > 0 && usage.heapMb > limits.heapMb)
    return `heap used ${usage.heapMb} MB is over recycle.heapMb ${limits.heapMb} MB`;
  return undefined;
}

/** Starts sampling; returns a stop function. */
export function watchMemory(
  limits: ServerConfig['recycle'],
  workerId: number,
  logger: Logger,
  send: (m: RecycleRequest) => void,
): () => void {
  if (limits.rssMb <= 0 && limits.heapMb <= 0) return () => undefined;
  let asked = false;
  const sample = (): { rssMb: number; heapMb: number } => {
    const u = process.memoryUsage();
    return { rssMb: Math.round(u.rss / MB), heapMb: Math.round(u.heapUsed / MB) };
  };
  // Over the ceiling right at start: a replacement would be too, so recycling would only loop.
  const atStart = sample();
  const already = overLimit(limits, atStart);
  if (already) {
    logger.error(
      { worker: workerId, ...atStart },
      `worker ${workerId}: ${already} already at start; memory recycling is off for this worker (raise recycle.rssMb / recycle.heapMb)`,
    );
    return () => undefined;
  }
  const timer = setInterval(() => {
    if (asked) return;
    const usage = sample();
    const reason = overLimit(limits, usage);
    if (!reason) return;
    asked = true;
    logger.warn(
      { worker: workerId, rssMb: usage.rssMb, heapMb: usage.heapMb, reason },
      `worker ${workerId}: ${reason}; asking to be recycled`,
    );
    send({ type: RECYCLE, workerId, reason, ...usage });
  }, limits.checkMs);
  timer.unref();
  return () => clearInterval(timer);
}
