import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinKinds } from '../kinds.js';
import type { StoredObject } from '../odb/odb.js';
import { parseStat } from './cluster-routes.js';
import { findProblems } from './problems.js';

beforeAll(() => registerBuiltinKinds());

const obj = (kind: string, name: string, data: Record<string, unknown>): StoredObject => ({
  kind,
  name,
  data,
  version: 1,
  createdAt: '',
  updatedAt: '',
});

describe('problems', () => {
  it('flags missing services (channels, routes, jobs), dangling references, down connectors and failed modules', () => {
    const items = findProblems({
      objects: [
        obj('channels.http', 'ok', { urlPath: '/ok', service: 'here' }),
        obj('channels.http', 'gone', { urlPath: '/gone', service: 'missing.svc', security: 'nope' }),
        obj('channels.http', 'routed', {
          urlPath: '/r',
          routes: [
            { when: {}, service: 'also.missing' },
            { when: {}, service: 'here' },
          ],
        }),
        obj('scheduler.jobs', 'job', { service: 'missing.svc' }),
        obj('security.apiKey', 'key', { header: 'x', key: 'k' }),
        obj('channels.http', 'secured', { urlPath: '/s', service: 'here', security: 'key' }),
      ],
      services: new Set(['here']),
      connectors: [
        {
          kind: 'channels.amqp',
          name: 'q',
          state: 'running',
          health: { status: 'down', detail: 'ECONNREFUSED 127.0.0.1:5672' },
        },
        { kind: 'channels.http', name: 'ok', state: 'running', health: { status: 'up' } },
      ],
      moduleErrors: new Map([['bad.ts', 'SyntaxError']]),
    });
    expect(items).toEqual([
      { kind: 'channels.amqp', name: 'q', problem: 'down: ECONNREFUSED 127.0.0.1:5672' },
      { kind: 'channels.http', name: 'gone', field: 'service', problem: 'service `missing.svc` is not deployed' },
      {
        kind: 'channels.http',
        name: 'gone',
        field: 'security',
        problem: expect.stringMatching(/^no .* named `nope`$/),
      },
      {
        kind: 'channels.http',
        name: 'routed',
        field: 'routes.*.service',
        problem: 'service `also.missing` is not deployed',
      },
      { kind: 'scheduler.jobs', name: 'job', field: 'service', problem: 'service `missing.svc` is not deployed' },
      { kind: 'service-module', name: 'bad.ts', problem: 'failed to load: SyntaxError' },
    ]);
  });

  it('reads HAProxy show stat for the wharf_servers backend', () => {
    const csv =
      '# pxname,svname,qcur,status,x\nwharf,FRONTEND,0,OPEN,\nwharf_servers,server1,0,UP,\nwharf_servers,server2,0,DOWN 1/2,\nwharf_servers,BACKEND,0,UP,\n';
    expect([...parseStat(csv)!]).toEqual([
      ['server1', 'UP'],
      ['server2', 'DOWN 1/2'],
    ]);
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('garbage')).toBeUndefined();
  });
});
