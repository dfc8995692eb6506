/**
 * The connector manager imports a kind's code when the first active object of that kind starts:
 * not for inactive objects, once for many objects, again after a failed import; a loader whose code
 * does not match its declaration is refused; a held manager (a spare worker's) starts nothing until
 * released. Real manager and registry; the kind is a tiny in-memory one.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineKind, type ConfigObject } from '../config/kind.js';
import type { ServiceLogger } from '../service/service.js';
import { ConnectorManager } from './manager.js';
import { declarationFor, isConnectorLoaded, loadConnector, registerConnectorKind } from './registry.js';
import type { Connector, ConnectorContext, ConnectorDeclaration, ConnectorHealth, ConnectorKind } from './types.js';

const logged: string[] = [];
const logger = {
  info: (m: string) => logged.push(`info ${m}`),
  warn: (m: string) => logged.push(`warn ${m}`),
  error: (m: string) => logged.push(`error ${m}`),
  debug: () => undefined,
} as unknown as ServiceLogger;

function manager(): ConnectorManager {
  return new ConnectorManager({
    workerId: 1,
    logger,
    context: () => ({ logger }) as unknown as ConnectorContext,
  });
}

class Echo implements Connector {
  state: ConnectorHealth = { status: 'stopped' };
  constructor(public config: ConfigObject) {}
  async start(): Promise<void> {
    this.state = { status: 'up' };
  }
  async reconfigure(config: ConfigObject): Promise<void> {
    this.config = config;
  }
  async stop(): Promise<void> {
    this.state = { status: 'stopped' };
  }
  health(): ConnectorHealth {
    return this.state;
  }
  handle(): unknown {
    return { echo: (s: string) => `${String(this.config['prefix'])}${s}` };
  }
}

/** A kind with its own id, a loader that counts its calls and can be made to fail. */
function testKind(id: string) {
  const kind = defineKind({ id, title: `Test ${id}`, cli: ['test', id], fields: { prefix: z.string().default('') } });
  const declaration: ConnectorDeclaration = {
    kind: kind as never,
    placement: 'worker',
    accessor: { group: 'outgoing', name: id },
  };
  const code: ConnectorKind = { ...declaration, create: (config) => new Echo(config) };
  const loader = { calls: 0, fail: undefined as string | undefined };
  registerConnectorKind(declaration, async () => {
    loader.calls++;
    await new Promise((r) => setTimeout(r, 5));
    if (loader.fail) throw new Error(loader.fail);
    return code;
  });
  return loader;
}

const obj = (name: string, active = true, prefix = '>'): ConfigObject => ({ name, active, prefix });

describe('lazy connector loading', () => {
  it('imports nothing for inactive objects, then once for the first active one and its siblings', async () => {
    const loader = testKind('t.lazy1');
    const m = manager();
    await m.apply('t.lazy1', 'a', obj('a', false));
    expect(loader.calls).toBe(0);
    expect(isConnectorLoaded('t.lazy1')).toBe(false);

    await Promise.all([m.apply('t.lazy1', 'a', obj('a')), m.apply('t.lazy1', 'b', obj('b', true, '#'))]);
    expect(loader.calls).toBe(1);
    expect(isConnectorLoaded('t.lazy1')).toBe(true);
    expect(m.status().map((s) => [s.name, s.state, s.health.status])).toEqual([
      ['a', 'running', 'up'],
      ['b', 'running', 'up'],
    ]);
    const h = m.handle('t.lazy1', 'b') as { echo(s: string): string };
    expect(h.echo('x')).toBe('#x');
    expect((m.accessors().outgoing['t.lazy1']!('a') as { echo(s: string): string }).echo('y')).toBe('>y');
    await m.stopAll();
  });

  it('a failed import leaves the object failed with the reason; the next edit imports again and starts it', async () => {
    const loader = testKind('t.lazy2');
    loader.fail = 'Cannot find package "somedriver"';
    const m = manager();
    await m.apply('t.lazy2', 'a', obj('a'));
    const [st] = m.status();
    expect(st?.state).toBe('failed');
    expect(st?.health).toEqual({
      status: 'down',
      detail: expect.stringContaining('cannot load the connector of t.lazy2: Cannot find package "somedriver"'),
    });
    expect(() => m.handle('t.lazy2', 'a')).toThrow(/not active/);

    loader.fail = undefined;
    await m.apply('t.lazy2', 'a', obj('a', true, '!'));
    expect(loader.calls).toBe(2);
    expect(m.status()[0]?.state).toBe('running');
    expect((m.handle('t.lazy2', 'a') as { echo(s: string): string }).echo('z')).toBe('!z');
    await m.stopAll();
  });

  it('refuses code that does not match its declaration', async () => {
    const kind = defineKind({ id: 't.lazy3', title: 'Test 3', cli: ['test', 't3'], fields: {} });
    const declared: ConnectorDeclaration = { kind: kind as never, placement: 'cluster', actionNames: ['run'] };
    registerConnectorKind(declared, () =>
      Promise.resolve({ kind: kind as never, placement: 'worker', create: (c) => new Echo(c) }),
    );
    expect(declarationFor('t.lazy3')?.actionNames).toEqual(['run']);
    await expect(loadConnector('t.lazy3')).rejects.toThrow(
      /t\.lazy3 does not match its declaration: its placement is worker, declared cluster; its actions \(none\) differ/,
    );
  });

  it('a held manager (a spare worker) starts nothing but imports the code; release starts the latest config', async () => {
    const loader = testKind('t.held');
    const m = new ConnectorManager({
      workerId: 0,
      held: true,
      logger,
      context: () => ({ logger }) as unknown as ConnectorContext,
    });
    await m.apply('t.held', 'a', obj('a'));
    await m.apply('t.held', 'b', obj('b'));
    await m.apply('t.held', 'b', undefined);
    await m.apply('t.held', 'a', obj('a', true, '#'));
    await m.apply('t.held', 'c', obj('c', false));
    expect(m.status()).toEqual([]);
    expect(() => m.handle('t.held', 'a')).toThrow();
    await new Promise((r) => setTimeout(r, 20));
    expect(isConnectorLoaded('t.held')).toBe(true);
    await m.release(2, () => 0);
    expect(m.status().map((x) => [x.name, x.state])).toEqual([['a', 'running']]);
    expect((m.handle('t.held', 'a') as { echo(s: string): string }).echo('x')).toBe('#x');
    expect(loader.calls).toBe(1);
    // Released: applies act at once again.
    await m.apply('t.held', 'c', obj('c'));
    expect(m.status().map((x) => x.name)).toEqual(['a', 'c']);
    await m.stopAll();
  });

  it('kinds without a connector load nothing', async () => {
    expect(declarationFor('t.none')).toBeUndefined();
    await expect(loadConnector('t.none')).resolves.toBeUndefined();
    const m = manager();
    await m.apply('t.none', 'x', obj('x'));
    expect(m.status()).toEqual([]);
  });
});
