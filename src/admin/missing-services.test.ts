import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinKinds } from '../kinds.js';
import { Odb } from '../odb/odb.js';
import { deployedServices, missingServices, serviceWarnings, warningOf, warningsField } from './missing-services.js';

let odb: Odb;
beforeAll(async () => {
  registerBuiltinKinds();
  odb = await Odb.open({ type: 'sqlite', path: ':memory:' });
  await odb.migrate();
  await odb.init('test');
});
afterAll(async () => odb?.close());

const deploy = (name: string, services: string[]) =>
  odb.write((w) => w.putModule({ name, source: '', hash: name, services, deployedFrom: 'test' }));

describe('missingServices', () => {
  it('names each object, field and service that is not deployed: channels, routes, jobs; once per service', () => {
    const found = missingServices(
      [
        { kind: 'channels.http', name: 'ok', data: { urlPath: '/ok', service: 'here' } },
        { kind: 'channels.http', name: 'gone', data: { urlPath: '/gone', service: 'missing.svc' } },
        {
          kind: 'channels.http',
          name: 'routed',
          data: {
            urlPath: '/r',
            routes: [{ service: 'also.missing' }, { service: 'here' }, { service: 'also.missing' }],
          },
        },
        { kind: 'channels.http', name: 'proxy', data: { urlPath: '/p', proxyTo: 'backend' } },
        { kind: 'scheduler.jobs', name: 'nightly', data: { service: 'missing.svc' } },
        { kind: 'security.apiKey', name: 'key', data: { header: 'x', key: 'k' } },
        { kind: 'no.such.kind', name: 'x', data: { service: 'missing.svc' } },
      ],
      new Set(['here']),
    );
    expect(found).toEqual([
      { kind: 'channels.http', name: 'gone', field: 'service', service: 'missing.svc' },
      { kind: 'channels.http', name: 'routed', field: 'routes.*.service', service: 'also.missing' },
      { kind: 'scheduler.jobs', name: 'nightly', field: 'service', service: 'missing.svc' },
    ]);
  });

  it('the warning names the object by its kind title and the service', () => {
    const w = warningOf(
      { kind: 'channels.http', name: 'gone', field: 'service', service: 'missing.svc' },
      undefined,
      7,
    );
    expect(w).toMatchObject({ kind: 'channels.http', name: 'gone', service: 'missing.svc', line: 7 });
    expect(w.message).toMatch(
      /^HTTP channel `gone`: service `missing\.svc` is not deployed \(accepted; reported until it is\)$/,
    );
    expect(
      warningOf({ kind: 'channels.http', name: 'routed', field: 'routes.*.service', service: 's' }).message,
    ).toMatch(/^HTTP channel `routed` \(routes\.\*\.service\): service `s` is not deployed/);
    expect(warningsField([])).toEqual({});
    expect(warningsField([w])).toEqual({ warnings: [w] });
  });
});

describe('serviceWarnings against the ODB', () => {
  it('warns until a module holding the service is deployed', async () => {
    const ch = [{ kind: 'channels.amqp', name: 'orders-in', data: { service: 'orders.take', queue: 'q' }, line: 3 }];
    const before = await serviceWarnings(odb, ch);
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ name: 'orders-in', service: 'orders.take', line: 3 });
    expect(before[0]!.message).toContain('service `orders.take` is not deployed');
    await deploy('orders.ts', ['orders.take', 'orders.list']);
    expect([...(await deployedServices(odb))].sort()).toEqual(['orders.list', 'orders.take']);
    expect(await serviceWarnings(odb, ch)).toEqual([]);
    expect(await serviceWarnings(odb, [])).toEqual([]);
  });
});
