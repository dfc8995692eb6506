import { describe, expect, it } from 'vitest';
import { ClientLifecycle, SerialQueue } from './lifecycle.js';

class FakeClient {
  closed = false;
  constructor(readonly id: string) {}
  health() {
    return { status: 'up' as const, detail: this.id };
  }
}

function lifecycle(closeGate?: Promise<void>) {
  const closing: string[] = [];
  const lc = new ClientLifecycle<FakeClient>(async (c) => {
    closing.push(c.id);
    await closeGate;
    c.closed = true;
  });
  return { lc, closing };
}

describe('ClientLifecycle', () => {
  it('opens a client only while running, keeps it for the same key, replaces it for another', () => {
    const { lc, closing } = lifecycle();
    lc.use('k1', () => new FakeClient('early'));
    expect(lc.client).toBeUndefined();
    expect(lc.health((c) => c.health())).toEqual({ status: 'starting' });
    expect(lc.start()).toBe(true);
    expect(lc.start()).toBe(false);
    expect(lc.running).toBe(true);
    lc.use('k1', () => new FakeClient('a'));
    lc.use('k1', () => new FakeClient('not opened'));
    expect(lc.client?.id).toBe('a');
    expect(lc.health((c) => c.health())).toEqual({ status: 'up', detail: 'a' });
    expect(lc.health((c) => c.health(), 'no definition')).toEqual({ status: 'down', detail: 'no definition' });
    lc.use('k2', () => new FakeClient('b'));
    expect(lc.client?.id).toBe('b');
    expect(closing).toEqual(['a']);
    lc.retire();
    expect(lc.client).toBeUndefined();
    expect(closing).toEqual(['a', 'b']);
  });

  it('stop closes the current client, waits for every close in flight, and is final', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { lc } = lifecycle(gate);
    lc.start();
    const a = new FakeClient('a');
    lc.use('k1', () => a);
    const b = new FakeClient('b');
    lc.use('k2', () => b);
    let stopped = false;
    const stopping = lc.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    expect(lc.client).toBeUndefined();
    open();
    await stopping;
    expect([a.closed, b.closed]).toEqual([true, true]);
    expect(lc.health((c) => c.health())).toEqual({ status: 'stopped' });
    expect(lc.start()).toBe(false);
    lc.use('k3', () => new FakeClient('after stop'));
    expect(lc.client).toBeUndefined();
    await lc.stop();
  });

  it('a client that fails to close does not fail stop; the failure is reported', async () => {
    const errors: unknown[] = [];
    const lc = new ClientLifecycle<FakeClient>(
      async () => {
        throw new Error('socket already gone');
      },
      (e) => errors.push(e),
    );
    lc.start();
    lc.use('k', () => new FakeClient('a'));
    await expect(lc.stop()).resolves.toBeUndefined();
    expect(errors).toEqual([new Error('socket already gone')]);
  });
});

describe('SerialQueue', () => {
  it('runs steps one after another; a failed step does not block the next', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    let release!: () => void;
    const first = q.run(async () => {
      await new Promise<void>((r) => (release = r));
      order.push('first');
    });
    const second = q.run(async () => {
      order.push('second');
      throw new Error('boom');
    });
    const third = q.run(() => {
      order.push('third');
      return 3;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await first;
    await expect(second).rejects.toThrow('boom');
    expect(await third).toBe(3);
    expect(order).toEqual(['first', 'second', 'third']);
  });
});
