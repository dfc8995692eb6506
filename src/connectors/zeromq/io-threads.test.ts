import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Push } from 'zeromq';
import { DEFAULT_IO_NICE, ioNiceFrom, ioThreadIds, lowerIoThreadPriority } from './io-threads.js';

describe('ZeroMQ I/O thread priority', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-io-threads-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the nice increment from WHARF_ZMQ_IO_NICE (0..19), else the default', () => {
    expect(ioNiceFrom(undefined)).toBe(DEFAULT_IO_NICE);
    expect(ioNiceFrom('')).toBe(DEFAULT_IO_NICE);
    expect(ioNiceFrom('0')).toBe(0);
    expect(ioNiceFrom('5')).toBe(5);
    expect(ioNiceFrom('19')).toBe(19);
    expect(ioNiceFrom('20')).toBe(DEFAULT_IO_NICE);
    expect(ioNiceFrom('-3')).toBe(DEFAULT_IO_NICE);
    expect(ioNiceFrom('soon')).toBe(DEFAULT_IO_NICE);
  });

  it('finds the I/O threads by name, not the reaper nor other threads', () => {
    for (const [tid, comm] of [
      ['101', 'node\n'],
      ['102', 'ZMQbg/IO/0\n'],
      ['103', 'ZMQbg/Reaper\n'],
      ['104', 'ZMQbg/IO/1\n'],
    ] as const) {
      mkdirSync(join(dir, tid));
      writeFileSync(join(dir, tid, 'comm'), comm);
    }
    mkdirSync(join(dir, '105')); // a thread that ended while listing: no comm
    expect(ioThreadIds(dir).sort()).toEqual([102, 104]);
    expect(ioThreadIds(join(dir, 'missing'))).toEqual([]);
  });

  it.runIf(process.platform === 'linux')(
    'lowers the priority of this process’s I/O thread once, by the configured amount',
    async () => {
      const mainBefore = getPriority(process.pid);
      const sock = new Push({ linger: 0 }); // the global context starts its I/O thread with its first socket
      try {
        // the thread names itself a moment after it starts
        for (let i = 0; i < 100 && ioThreadIds().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        const [tid] = ioThreadIds();
        expect(tid).toBeTypeOf('number');
        const before = getPriority(tid!);
        lowerIoThreadPriority({ WHARF_ZMQ_IO_NICE: '0' });
        expect(getPriority(tid!)).toBe(before);
        lowerIoThreadPriority({ WHARF_ZMQ_IO_NICE: '7' });
        expect(getPriority(tid!)).toBe(Math.min(19, before + 7));
        lowerIoThreadPriority({ WHARF_ZMQ_IO_NICE: '7' }); // already lowered: not again
        expect(getPriority(tid!)).toBe(Math.min(19, before + 7));
        expect(getPriority(process.pid)).toBe(mainBefore); // the JavaScript thread keeps its priority
      } finally {
        sock.close();
      }
    },
  );

  it.runIf(process.platform === 'linux')('finds an I/O thread that names itself only after the call', async () => {
    const { Context, Pull } = await import('zeromq');
    await new Promise((r) => setTimeout(r, 300)); // the previous test's look-agains (8 × 25 ms) are over
    const before = new Set(ioThreadIds());
    const sock = new Pull({ linger: 0, context: new Context() }); // a new context: a new I/O thread
    try {
      lowerIoThreadPriority({ WHARF_ZMQ_IO_NICE: '3' });
      let fresh: number | undefined;
      for (let i = 0; i < 100 && fresh === undefined; i++) {
        await new Promise((r) => setTimeout(r, 10));
        fresh = ioThreadIds().find((t) => !before.has(t));
      }
      expect(fresh).toBeTypeOf('number');
      await new Promise((r) => setTimeout(r, 300)); // the retries (every 25 ms) have run
      expect(getPriority(fresh!)).toBe(Math.min(19, getPriority(0) + 3));
    } finally {
      sock.close();
    }
  });
});
