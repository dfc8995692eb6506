/**
 * Entry point of a worker process, forked by the primary: `worker-main.js SERVER_DIR [--fg]`, with
 * WHARF_WORKER_ID (or WHARF_SPARE=1 for a spare worker, which gets its id when activated).
 */
import { ODB_READY, ODB_WAIT, SPARE_ENV, WAIT_ODB_ENV } from './ipc.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('worker-main: missing server directory\n');
  process.exit(2);
}
const id = Number(process.env['WHARF_WORKER_ID'] ?? '1');
const spare = process.env[SPARE_ENV] === '1';
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
runWorker(loadServerConfig(dir), id, process.argv.includes('--fg'), { odbReady, spare }).catch((e: unknown) => {
  process.stderr.write(
    `wharf worker ${spare ? 'spare' : id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
