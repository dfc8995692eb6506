import { describe, expect, it } from 'vitest';
import { computeDrift, confirmDrift, moduleState, shortHash } from './drift';

describe('drift', () => {
  it('everyone on the ODB version and hashes: no drift', () => {
    const r = computeDrift(
      [
        { id: 's1', configVersion: 7, modules: { 'a.ts': 'h1' } },
        { id: 's2', configVersion: 7, modules: { 'a.ts': 'h1' } },
      ],
      { version: 7, modules: { 'a.ts': 'h1' } },
    );
    expect(r).toMatchObject({ drift: false, version: 7, versions: [7], modules: [], alive: 2 });
    expect(r.reasons).toEqual({ s1: [], s2: [] });
  });

  it('a server behind, a different hash, a missing module', () => {
    const r = computeDrift(
      [
        { id: 's1', configVersion: 7, modules: { 'a.ts': 'aaaaaaaaaaaa', 'b.ts': 'bbbb' } },
        { id: 's2', configVersion: 6, modules: { 'a.ts': 'cccccccccccc' } },
      ],
      { version: 7, modules: { 'a.ts': 'aaaaaaaaaaaa', 'b.ts': 'bbbb' } },
    );
    expect(r.drift).toBe(true);
    expect(r.versions).toEqual([6, 7]);
    expect(r.reasons['s1']).toEqual([]);
    expect(r.reasons['s2']).toEqual([
      'config version 6 (expected 7)',
      'a.ts cccccccc (expected aaaaaaaa)',
      'b.ts missing',
    ]);
    expect(r.modules.map((m) => m.module)).toEqual(['a.ts', 'b.ts']);
    expect(r.modules[1]!.perMember).toEqual({ s1: 'bbbb', s2: null });
  });

  it('down servers are reported as down, not as drift', () => {
    const r = computeDrift([
      { id: 's1', configVersion: 7, modules: { 'a.ts': 'h1' } },
      { id: 's2', configVersion: 3, modules: {}, alive: false },
    ]);
    expect(r.drift).toBe(false);
    expect(r.reasons['s2']).toEqual(['down']);
    expect(r.alive).toBe(1);
  });

  it('without the ODB view: the highest version and the most common hash are expected', () => {
    const r = computeDrift([
      { id: 'worker 1', configVersion: 4, modules: { 'a.ts': 'x' } },
      { id: 'worker 2', configVersion: 4, modules: { 'a.ts': 'x' } },
      { id: 'worker 3', configVersion: 3, modules: { 'a.ts': 'y' } },
    ]);
    expect(r.version).toBe(4);
    expect(r.reasons['worker 3']).toEqual(['config version 3 (expected 4)', 'a.ts y (expected x)']);
  });

  it('a module on a server that the ODB does not have', () => {
    const r = computeDrift([{ id: 's1', modules: { 'old.ts': 'h' } }], { modules: {} });
    expect(r.reasons['s1']).toEqual(['old.ts is not deployed in the ODB']);
  });

  it('module state per server and short hashes', () => {
    expect(moduleState({ id: 's', modules: { m: 'h' } }, 'm', 'h')).toBe('ok');
    expect(moduleState({ id: 's', modules: { m: 'x' } }, 'm', 'h')).toBe('outdated');
    expect(moduleState({ id: 's', modules: {} }, 'm', 'h')).toBe('missing');
    expect(moduleState({ id: 's', modules: {}, alive: false }, 'm', 'h')).toBe('down');
    // not reported since the deploy: pending, not drift
    expect(
      moduleState({ id: 's', modules: {}, lastSeen: '2026-01-01T00:00:00Z' }, 'm', 'h', '2026-01-01T00:00:01Z'),
    ).toBe('pending');
    expect(
      moduleState({ id: 's', modules: { m: 'x' }, lastSeen: '2026-01-01T00:00:02Z' }, 'm', 'h', '2026-01-01T00:00:01Z'),
    ).toBe('outdated');
    expect(shortHash('sha256:0123456789abcdef')).toBe('01234567');
    expect(shortHash(undefined)).toBe('');
  });
});

describe('confirmed drift', () => {
  const cur = computeDrift(
    [
      { id: 's1', configVersion: 7, modules: {} },
      { id: 's2', configVersion: 6, modules: {} },
    ],
    { version: 7 },
  );
  it('a first difference is pending, not drift', () => {
    const c = confirmDrift(undefined, cur);
    expect(c.drift).toBe(false);
    expect(c.pending).toEqual(['s2']);
    expect(c.reasons['s2']).toEqual([]);
  });
  it('the same member differing in two polls in a row is drift', () => {
    const c = confirmDrift(cur, cur);
    expect(c.drift).toBe(true);
    expect(c.pending).toEqual([]);
    expect(c.reasons['s2']).toEqual(['config version 6 (expected 7)']);
  });
  it('down stays down', () => {
    const d = computeDrift([{ id: 's1', modules: {}, alive: false }]);
    expect(confirmDrift(undefined, d).reasons['s1']).toEqual(['down']);
  });
});
