/** Small JSON-lines log: to a file (appended) and/or stdout. */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export type Level = 'info' | 'warn' | 'error';

export interface Log {
  (level: Level, msg: string, fields?: Record<string, unknown>): void;
  close(): Promise<void>;
}

export function createLog(opts: { file?: string | undefined; stdout: boolean }): Log {
  let stream: WriteStream | undefined;
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true });
    stream = createWriteStream(opts.file, { flags: 'a' });
    stream.on('error', () => (stream = undefined));
  }
  const log = ((level: Level, msg: string, fields?: Record<string, unknown>) => {
    const line = `${JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })}\n`;
    stream?.write(line);
    if (opts.stdout) process.stdout.write(line);
  }) as Log;
  log.close = () => new Promise<void>((r) => (stream ? stream.end(r) : r()));
  return log;
}
