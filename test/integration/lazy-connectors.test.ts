/**
 * A server imports a connector's code (and its driver) only when an object of that kind exists
 * (issue 14 item 1). ZeroMQ's driver is a native addon, so whether it was loaded shows in the
 * worker's memory map: absent after start, present once an outgoing ZeroMQ connection is created,
 * and that connection then works (a service sends through it to a PULL socket here).
 */
import { readFileSync } from 'node:fs';
import { Pull } from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, eventually, freePort, type TestEnv } from '../helpers/env.js';

const ZMQ_ADDON = /\/node_modules\/zeromq\/.*\.node$/m;

describe('lazy connector loading in a server', () => {
  let env: TestEnv;
  let worker: number;
  beforeAll(async () => {
    env = await createEnv({ workers: 1 });
    const ping = (await (await env.fetch('/wharf/ping')).json()) as { pid: number };
    worker = ping.pid;
  });
  afterAll(async () => {
    await env?.destroy();
  });

  const maps = (): string => readFileSync(`/proc/${worker}/maps`, 'utf8');

  it('a started server has not loaded the ZeroMQ addon', () => {
    expect(maps()).toContain('node'); // the probe reads the worker's map
    expect(maps()).not.toMatch(ZMQ_ADDON);
  });

  it('an inactive ZeroMQ connection loads nothing; activating it loads the addon, and it sends', async () => {
    const port = await freePort();
    const address = `tcp://127.0.0.1:${port}`;
    await env.ok(['outgoing', 'zeromq', 'create', 'ENV', '--name', 'Lazy', '--address', address, '--active', 'false']);
    await new Promise((r) => setTimeout(r, 1500)); // a config change reaches the worker within the broker's notice
    expect(maps()).not.toMatch(ZMQ_ADDON);

    const pull = new Pull();
    await pull.bind(address);
    try {
      await env.ok(['outgoing', 'zeromq', 'edit', 'ENV', 'Lazy', '--active', 'true']);
      await eventually(() => ZMQ_ADDON.test(maps()), 15_000, 'the ZeroMQ addon in the worker');
      await env.deploy(
        'lazy-send.ts',
        `import { service, text } from 'wharf-esb';

export class LazySend extends service({ name: 'lazy.send', output: { status: text() } }) {
  async handle() {
    await this.outgoing.zeromq('Lazy').send('hello from a lazily loaded connector');
    return { status: 'sent' };
  }
}
`,
      );
      await env.ok([
        'channel',
        'http',
        'create',
        'ENV',
        '--name',
        'lazy',
        '--url-path',
        '/lazy',
        '--service',
        'lazy.send',
      ]);
      const got = pull.receive();
      await eventually(
        async () =>
          (await env.fetch('/lazy', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }))
            .ok,
        15_000,
        'the channel',
      );
      const [frame] = await got;
      expect(frame?.toString()).toBe('hello from a lazily loaded connector');
    } finally {
      pull.close();
    }
  });
});
