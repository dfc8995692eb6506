/** pino, appended to the server's log file (and stdout in the foreground); ServiceLogger adapters. */
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type { ServiceLogger } from '../service/service.js';

export function createLogger(opts: { file: string; level: string; toStdout: boolean; base: Record<string, unknown> }): Logger {
  mkdirSync(dirname(opts.file), { recursive: true });
  // The file is opened here, synchronously: the destination is ready at once (writes stay async), so
  // a process that logs and exits right after its start (a fatal error) flushes instead of throwing
  // "sonic boom is not ready yet" from pino's exit hook.
  const fileDest = pino.destination({ fd: openSync(opts.file, 'a'), sync: false });
  const streams: pino.StreamEntry[] = [{ stream: fileDest, level: opts.level as pino.Level }];
  if (opts.toStdout) streams.push({ stream: pino.destination({ fd: 1, sync: false }), level: opts.level as pino.Level });
  return pino({ level: opts.level, base: opts.base, timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}

/** `logger.info('msg', { extra })` → pino's `info({ extra }, 'msg')`. */
export function serviceLogger(p: Logger): ServiceLogger {
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, ...args: unknown[]): void => {
      const first = args[0];
      if (args.length === 1 && typeof first === 'object' && first !== null && !(first instanceof Error)) p[level](first as object, msg);
      else if (args.length === 1 && first instanceof Error) p[level]({ err: first }, msg);
      else if (args.length > 0) p[level]({ args }, msg);
      else p[level](msg);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
