/** Entry point of a worker process, forked by the primary: `worker-main.js SERVER_DIR [--fg]`. */
import { ODB_READY, ODB_WAIT, WAIT_ODB_ENV } from './ipc.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('worker-main: missing server directory\n');
  process.exit(2);
}
const id = Number(process.env['WHARF_WORKER_ID'] ?? '1');
// Listen before the (slow) module loading, so that the primary's "ODB ready" is never missed.
const odbReady =
  process.env[WAIT_ODB_ENV] === '1' && process.send
    ? new Promise<void>((resolve) => {
        const on = (m: unknown): void => {
          if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === ODB_READY) {
            process.off('message', on);
            resolve();
          }
        };
        process.on('message', on);
        process.send?.({ type: ODB_WAIT });
      })
    : Promise.resolve();
const { loadServerConfig } = await import('./config.js');
const { runWorker } = await import('./worker.js');
runWorker(loadServerConfig(dir), id, process.argv.includes('--fg'), odbReady).catch((e: unknown) => {
  process.stderr.write(`wharf worker ${id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
