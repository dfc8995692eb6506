/**
 * Entry point of a detached server's primary process: `primary-main.js SERVER_DIR`. `wharf start ENV`
 * runs its checks in the CLI, then spawns this instead of the whole CLI again, so that the primary
 * loads only what a primary needs (its config, the ODB, the logger; no commands, no kinds).
 */
import { loadServerConfig } from './config.js';
import { runPrimary } from './primary.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('primary-main: missing server directory\n');
  process.exit(2);
}
let config: ReturnType<typeof loadServerConfig>;
try {
  config = loadServerConfig(dir);
} catch (e) {
  process.stderr.write(`wharf: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(5);
}
runPrimary(config, process.argv.includes('--fg')).catch((e: unknown) => {
  process.stderr.write(`wharf primary: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
