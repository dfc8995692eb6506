/**
 * BUG-DEMONSTRATING TEST (see the test report): asserts the correct behaviour and fails until the
 * typed `invoke()` (src/service/service.ts, pipeline.ts) is fixed. BUG-13 (defaulted input elements
 * required by invoke's type) is checked in test/types/service-types.ts (`this.invoke(Search, { q })`).
 */
import { describe, expect, it } from 'vitest';
import { makeEntry, ServiceRegistry } from './registry.js';
import { service } from './service.js';
import { datetime, int, text } from './simpleio/elements.js';
import { pipelineFor } from './testing/runtime.js';

class Stamp extends service({ name: 'stamp', output: { at: datetime(), label: text() } }) {
  handle() {
    return { at: new Date('2024-01-01T00:00:00Z'), label: 'x' };
  }
}

class UsesStamp extends service({ name: 'uses.stamp', output: { year: int() } }) {
  async handle() {
    const r = await this.invoke(Stamp, {});
    // `r.at` is typed Date (OutputOf<typeof Stamp>), so this compiles
    return { year: r.at.getUTCFullYear() };
  }
}

describe('BUG typed invoke()', () => {
  it('BUG-12: the result of invoke(Class) matches its type: a datetime output is a Date, not an ISO string', async () => {
    const registry = new ServiceRegistry();
    registry.swapModule('m.ts', 'h', [makeEntry(Stamp, 'm.ts', 'h'), makeEntry(UsesStamp, 'm.ts', 'h')]);
    const { pipeline } = pipelineFor(registry);
    // today: TypeError: r.at.getUTCFullYear is not a function (the callee's output was normalised
    // for the wire, Dates turned into strings, but the type still says Date)
    expect(await pipeline.invoke('uses.stamp', {}, { cid: 'c' })).toEqual({ year: 2024 });
  });
});
