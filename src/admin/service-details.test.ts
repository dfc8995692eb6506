import { beforeAll, describe, expect, it } from 'vitest';
import { allKinds, getKind } from '../config/registry.js';
import { registerBuiltinKinds } from '../kinds.js';
import type { StoredObject } from '../odb/odb.js';
import { int, list, listOf, object, text, datetime } from '../service/simpleio/elements.js';
import { describeKinds } from './kinds-info.js';
import { describeDeclaration, exampleOf, serviceFields, usedBy } from './service-details.js';

beforeAll(() => registerBuiltinKinds());

const obj = (kind: string, name: string, data: Record<string, unknown>): StoredObject => ({
  kind,
  name,
  data,
  version: 1,
  createdAt: '',
  updatedAt: '',
});

describe('service details', () => {
  const input = {
    id: int(),
    name: text().optional().describe('Who'),
    tags: list(text()).default(['a']),
    at: datetime().optional(),
    customer: object({ city: text() }),
    items: listOf({ sku: text() }).optional(),
  };

  it('describes SimpleIO fields, nested ones too; a single-element output is one field', () => {
    expect(describeDeclaration(input)).toEqual([
      { name: 'id', type: 'int', required: true },
      { name: 'name', type: 'text', required: false, description: 'Who' },
      { name: 'tags', type: 'list<text>', required: false, default: ['a'] },
      { name: 'at', type: 'datetime', required: false },
      { name: 'customer', type: 'object', required: true, fields: [{ name: 'city', type: 'text', required: true }] },
      { name: 'items', type: 'list<object>', required: false, fields: [{ name: 'sku', type: 'text', required: true }] },
    ]);
    expect(describeDeclaration(text())).toEqual([{ name: '(value)', type: 'text', required: true }]);
    expect(describeDeclaration(undefined)).toEqual([]);
  });

  it('builds an example input from defaults and types', () => {
    expect(exampleOf(input)).toEqual({
      id: 0,
      name: '',
      tags: ['a'],
      at: '2026-01-01T00:00:00Z',
      customer: { city: '' },
      items: [{ sku: '' }],
    });
    expect(exampleOf(undefined)).toEqual({});
  });

  it('finds the objects that name a service: channels of every kind, HTTP routes, scheduler jobs', () => {
    expect(serviceFields(getKind('channels.http'))).toEqual(['service', 'routes[].service']);
    expect(serviceFields(getKind('scheduler.jobs'))).toEqual(['service']);
    expect(serviceFields(getKind('security.basicAuth'))).toEqual([]);
    const objects = [
      obj('channels.http', 'a', { service: 's' }),
      obj('channels.http', 'b', { routes: [{ when: {}, service: 's' }] }),
      obj('channels.amqp', 'c', { service: 's' }),
      obj('scheduler.jobs', 'j', { service: 's' }),
      obj('channels.http', 'other', { service: 't' }),
      obj('security.basicAuth', 's', { username: 's' }),
    ];
    expect(usedBy(objects, 's')).toEqual([
      { kind: 'channels.amqp', name: 'c' },
      { kind: 'channels.http', name: 'a' },
      { kind: 'channels.http', name: 'b' },
      { kind: 'scheduler.jobs', name: 'j' },
    ]);
  });

  it('kinds: every `service` field is a service ref', () => {
    const kinds = describeKinds(allKinds());
    const withService = kinds.filter((k) => k.fields.some((f) => f.name === 'service'));
    expect(withService.length).toBeGreaterThan(5);
    for (const k of withService) expect(k.fields.find((f) => f.name === 'service')!.ref).toBe('service');
    expect(kinds.find((k) => k.id === 'channels.http')!.fields.find((f) => f.name === 'security')!.ref).toBe(
      'security.*',
    );
  });
});
