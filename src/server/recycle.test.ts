import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { heapHardLimitMb, overLimit, watchMemory } from './recycle.js';
import { defaultBlockedMs } from './watchdog.js';

function memoryLogger(): { logger: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      cb();
    },
  });
  return { logger: pino(stream), lines };
}

describe('memory recycling', () => {
  it('names the ceiling that is passed; 0 turns a ceiling off', () => {
    const limits = { heapMb: 100, rssMb: 200, checkMs: 1000 };
    expect(overLimit(limits, { rssMb: 150, heapMb: 50 })).toBeUndefined();
    expect(overLimit(limits, { rssMb: 201, heapMb: 50 })).toBe('RSS 201 MB is over recycle.rssMb 200 MB');
    expect(overLimit(limits, { rssMb: 150, heapMb: 101 })).toBe('heap used 101 MB is over recycle.heapMb 100 MB');
    expect(overLimit({ heapMb: 0, rssMb: 0, checkMs: 1000 }, { rssMb: 1e6, heapMb: 1e6 })).toBeUndefined();
  });

  it('the hard heap stop is a margin above the recycle threshold', () => {
    expect(heapHardLimitMb(1024)).toBe(1280);
    expect(heapHardLimitMb(100)).toBe(356);
    expect(heapHardLimitMb(4000)).toBe(5000);
  });

  it('a worker already over its ceiling at start does not ask (a replacement would loop); it says why', () => {
    const { logger, lines } = memoryLogger();
    const sent: unknown[] = [];
    const stop = watchMemory({ heapMb: 0, rssMb: 1, checkMs: 100 }, 3, logger, (m) => sent.push(m));
    stop();
    expect(sent).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(50);
    expect(lines[0]!.msg).toMatch(
      /^worker 3: RSS \d+ MB is over recycle\.rssMb 1 MB already at start; memory recycling is off for this worker/,
    );
  });

  it('asks the primary once when a ceiling is passed after start', async () => {
    const { logger, lines } = memoryLogger();
    const sent: Array<{ type: string; workerId: number; reason: string }> = [];
    const heapNow = Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
    const keep: number[][] = [];
    const stop = watchMemory({ heapMb: heapNow + 20, rssMb: 0, checkMs: 100 }, 2, logger, (m) => sent.push(m));
    try {
      // Grow the heap by ~80 MB of live arrays until the sampler notices.
      for (let i = 0; i < 100 && sent.length === 0; i++) {
        keep.push(new Array<number>(1_000_000).fill(i + 0.5));
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop();
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'wharf:recycle', workerId: 2 });
    expect(sent[0]!.reason).toMatch(/^heap used \d+ MB is over recycle\.heapMb \d+ MB$/);
    expect(lines.some((l) => l.level === 40 && /asking to be recycled/.test(l.msg))).toBe(true);
    expect(keep.length).toBeGreaterThan(0);
  });
});

describe('watchdog default limit', () => {
  it('is 10 s, or the longest channel timeout + 5 s when that is longer', () => {
    expect(defaultBlockedMs(0)).toBe(10_000);
    expect(defaultBlockedMs(3000)).toBe(10_000);
    expect(defaultBlockedMs(30_000)).toBe(35_000);
  });
});
