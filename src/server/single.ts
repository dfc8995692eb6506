/**
 * Single-process mode (server.yaml `singleProcess: true`, with `workers: 1`): the process that would
 * be the primary serves itself — no fork, no second process. It keeps what the primary did that
 * still matters (runPrimary checked the port and wrote the pid file before calling this): the ODB
 * migration, the pickup watcher (deploying through its own runtime), SIGTERM/SIGINT/SIGHUP → a
 * graceful stop, exit codes. What it gives up: nobody replaces it — a blocked event loop makes the
 * watchdog kill the process, memory recycling stops it with EXIT.RESTART, and a supervisor
 * (`wharf start --supervise`, the systemd unit) starts it again; no spare worker.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import type { Logger } from 'pino';
import { Odb } from '../odb/odb.js';
import type { ServerConfig } from './config.js';
import { watchPickup } from './pickup.js';
import { EXIT } from './primary.js';

export async function runSingleProcess(
  config: ServerConfig,
  foreground: boolean,
  logger: Logger,
  fail: (code: number, msg: string) => never,
): Promise<void> {
  // A stop asked while the server starts is carried out once it can be (the worker's handlers come last).
  let stopAsked = false;
  let started = false;
  const early = (): void => {
    if (!started) stopAsked = true;
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, early);
  if (config.watchdog.spare)
    logger.warn('watchdog.spare is ignored in single-process mode (there is no primary to activate a spare)');

  // The ODB is migrated while the worker's code loads.
  const migrated = (async () => {
    const odb = await Odb.open(config.odb);
    try {
      await odb.migrate();
    } finally {
      await odb.close();
    }
  })();
  const odbReady = migrated.catch((e: unknown) =>
    fail(EXIT.START_FAILED, `cannot open the ODB: ${e instanceof Error ? e.message : String(e)}`),
  );
  const { runWorker } = await import('./worker.js');
  const pickup: { watcher?: { close(): Promise<void> } } = {};
  const removePidFile = (): void => {
    try {
      if (readFileSync(config.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(config.pidFile);
    } catch {
      /* already gone */
    }
  };
  let handle: Awaited<ReturnType<typeof runWorker>>;
  try {
    handle = await runWorker(config, 1, foreground, {
      odbReady,
      single: {
        logger,
        beforeStop: async () => {
          await pickup.watcher?.close();
        },
        afterStop: removePidFile,
      },
    });
  } catch (e) {
    removePidFile();
    return fail(EXIT.START_FAILED, `${e instanceof Error ? e.message : String(e)}; see ${config.logFile}`);
  }
  started = true;
  logger.info(
    { port: config.port, workers: 1, singleProcess: true },
    `server ${config.name} listening on ${config.host}:${config.port} (single process)`,
  );
  if (stopAsked) return handle.stop();
  pickup.watcher = await watchPickup(config, logger, (name, source, from) => handle.deploy(name, source, from));
}
