/**
 * Entry point of a detached load-balancer agent: `lb-agent-main.js LB_DIR`. `wharf start ENV` runs
 * the LB checks (HAProxy installed, ports, `haproxy -c`) in the CLI, then spawns this instead of the
 * whole CLI again: the agent starts with only what it needs, beside the servers starting.
 */
import { loadLbConfig, type LbConfig } from './config.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('lb-agent-main: missing load-balancer directory\n');
  process.exit(2);
}
let config: LbConfig;
try {
  config = loadLbConfig(dir);
} catch (e) {
  process.stderr.write(`wharf: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(5);
}
const { runLbAgent } = await import('./agent.js');
runLbAgent(config, false).catch((e: unknown) => {
  process.stderr.write(`wharf load balancer: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
