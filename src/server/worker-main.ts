/** Entry point of a worker process, forked by the primary: `worker-main.js SERVER_DIR [--fg]`. */
import { loadServerConfig } from './config.js';
import { runWorker } from './worker.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('worker-main: missing server directory\n');
  process.exit(2);
}
const id = Number(process.env['WHARF_WORKER_ID'] ?? '1');
runWorker(loadServerConfig(dir), id, process.argv.includes('--fg')).catch((e: unknown) => {
  process.stderr.write(`wharf worker ${id}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
