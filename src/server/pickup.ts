/**
 * The pickup directory watcher: a service file added or changed there is deployed (by worker 1 through
 * the primary, or by the single process itself); the outcome is logged, a refusal also written beside
 * it (pickup-errors.ts).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { isServiceFile } from '../service/deploy/compile.js';
import type { ServerConfig } from './config.js';
import type { DeployOutcome } from './ipc.js';
import { clearPickupRefusal, recordPickupRefusal } from './pickup-errors.js';

/** Deploys `source` as `name`; undefined when nobody could (no worker 1, no answer). */
export type PickupDeploy = (name: string, source: string, from: string) => Promise<DeployOutcome | undefined>;

export async function watchPickup(
  config: ServerConfig,
  logger: Logger,
  deploy: PickupDeploy,
): Promise<{ close(): Promise<void> }> {
  const onFile = (file: string): void => {
    if (!isServiceFile(basename(file))) return;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const name = basename(file);
    void deploy(name, source, `pickup:${config.name}`).then((r) => {
      if (!r) return;
      if (r.ok) {
        clearPickupRefusal(config.pickupDir, name);
        if (!r.result.unchanged)
          logger.info(
            { file: name, services: r.result.services, hash: r.result.hash.slice(0, 12) },
            `hot-deployed ${name}`,
          );
      } else {
        const written = recordPickupRefusal(config.pickupDir, name, r.error);
        logger.error(
          { file: name, ...(written ? { refusal: written } : {}) },
          `hot deploy of ${name} refused; the previous version keeps serving: ${r.error}`,
        );
      }
    });
  };
  const { watch } = await import('chokidar');
  const watcher = watch(config.pickupDir, {
    ignoreInitial: false,
    depth: 0,
    awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
  });
  watcher.on('add', onFile);
  watcher.on('change', onFile);
  return watcher;
}
