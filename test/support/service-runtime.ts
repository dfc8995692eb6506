/** A ServiceRuntime fake for unit tests that run services through a real Pipeline (no server around it). */
import { Pipeline } from '../../src/service/pipeline.js';
import type { ServiceRegistry } from '../../src/service/registry.js';
import type { ServiceRuntime } from '../../src/service/service.js';

/** invokeAsync answers `async-cid`, lock() throws, no outgoing connections or config, silent loggers. */
export function fakeRuntime(over: Partial<ServiceRuntime> = {}): ServiceRuntime {
  return {
    invoke: async () => undefined,
    invokeAsync: async () => 'async-cid',
    lock: async () => {
      throw new Error('no locks in this test');
    },
    outgoing: {} as ServiceRuntime['outgoing'],
    cloud: {} as ServiceRuntime['cloud'],
    config: {},
    logger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
    ...over,
  };
}

/** A Pipeline over `registry` whose runtime's invoke() goes back into that same pipeline. */
export function pipelineFor(registry: ServiceRegistry): { pipeline: Pipeline; runtime: ServiceRuntime } {
  const runtime = fakeRuntime({ invoke: (name, input, parent) => pipeline.invoke(name, input, parent) });
  const pipeline = new Pipeline(registry, runtime);
  return { pipeline, runtime };
}
