import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_BACKOFF, supervisorLogFile, supervisorPidFile } from './supervise.js';

describe('supervisor', () => {
  it('backs off 1 s, 2 s, 4 s ... capped at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(backoffMs(0)).toBe(1000);
    expect(backoffMs(3, { firstMs: 100, maxMs: 250, stableMs: 1 })).toBe(250);
    expect(DEFAULT_BACKOFF.stableMs).toBeGreaterThan(DEFAULT_BACKOFF.maxMs);
  });

  it('keeps its pidfile and log next to the server’s', () => {
    expect(supervisorPidFile({ pidFile: '/e/server1/pids/server.pid' })).toBe('/e/server1/pids/supervisor.pid');
    expect(supervisorLogFile({ logFile: '/e/server1/logs/server.log' })).toBe('/e/server1/logs/supervisor.log');
  });
});
