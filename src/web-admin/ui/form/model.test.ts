import { describe, expect, it } from 'vitest';
import {
  controlOf,
  createBody,
  initialState,
  mapProblems,
  orderFields,
  parseRaw,
  patchBody,
  refMatchesKind,
  refOf,
  type FormField,
} from './model';

const f = (name: string, type: string, more: Partial<FormField> = {}): FormField => ({
  name,
  type,
  required: false,
  secret: false,
  ...more,
});

const fields: FormField[] = [
  f('name', 'string', { required: true }),
  f('active', 'boolean', { default: true }),
  f('urlPath', 'string', { required: true }),
  f('method', 'enum', { values: ['GET', 'POST'] }),
  f('service', 'string'),
  f('security', 'string', { ref: 'security.*' }),
  f('timeoutMs', 'number', { default: 30000 }),
  f('headers', 'record', { default: {} }),
  f('subPrefixes', 'array<string>'),
  f('password', 'string', { secret: true }),
];

describe('controlOf / refOf', () => {
  it('maps types to controls', () => {
    expect(fields.map(controlOf)).toEqual([
      'text',
      'boolean',
      'text',
      'enum',
      'ref',
      'ref',
      'number',
      'json',
      'lines',
      'secret',
    ]);
    expect(controlOf(f('qos', 'union'))).toBe('json');
    expect(controlOf(f('routes', 'array<object>'))).toBe('json');
  });
  it('a string field named service refers to services', () => {
    expect(refOf(f('service', 'string'))).toBe('service');
    expect(refOf(f('service', 'number'))).toBeUndefined();
    expect(refOf(f('proxyTo', 'string', { ref: 'outgoing.http' }))).toBe('outgoing.http');
  });
  it('ref patterns', () => {
    expect(refMatchesKind('security.*', 'security.basicAuth')).toBe(true);
    expect(refMatchesKind('security.*', 'outgoing.http')).toBe(false);
    expect(refMatchesKind('outgoing.http', 'outgoing.http')).toBe(true);
    expect(refMatchesKind('outgoing.http', 'outgoing.https')).toBe(false);
  });
});

describe('initialState', () => {
  it('new: defaults filled', () => {
    const s = initialState(fields, 'new');
    expect(s).toMatchObject({
      name: '',
      active: true,
      timeoutMs: '30000',
      headers: '{}',
      subPrefixes: '',
      password: '',
      method: '',
    });
  });
  it('edit: the data, secrets empty, defaults for what is missing', () => {
    const s = initialState(fields, 'edit', {
      name: 'api',
      active: false,
      urlPath: '/x',
      subPrefixes: ['a', 'b'],
      password: '******',
      headers: { a: '1' },
    });
    expect(s).toMatchObject({
      name: 'api',
      active: false,
      urlPath: '/x',
      subPrefixes: 'a\nb',
      password: '',
      timeoutMs: '30000',
    });
    expect(JSON.parse(s['headers'] as string)).toEqual({ a: '1' });
  });
  it('clone: no name, no secrets', () => {
    const s = initialState(fields, 'clone', { name: 'api', urlPath: '/x', password: '******' });
    expect(s).toMatchObject({ name: '', urlPath: '/x', password: '' });
  });
});

describe('parseRaw', () => {
  it('numbers, JSON, lines, enums', () => {
    expect(parseRaw(fields[6]!, ' 12 ')).toEqual({ value: 12, empty: false });
    expect(parseRaw(fields[6]!, 'abc').error).toBe('must be a number');
    expect(parseRaw(fields[7]!, '{"a":1}').value).toEqual({ a: 1 });
    expect(parseRaw(fields[7]!, '{a').error).toMatch(/^must be JSON/);
    expect(parseRaw(fields[8]!, ' a \n\n b\n')).toEqual({ value: ['a', 'b'], empty: false });
    expect(parseRaw(fields[8]!, '\n \n')).toEqual({ empty: true });
    expect(parseRaw(fields[3]!, 'PUT').error).toMatch(/one of GET, POST/);
    expect(parseRaw(fields[1]!, false)).toEqual({ value: false, empty: false });
  });
});

describe('createBody', () => {
  it('non-empty fields only, typed', () => {
    const s = {
      ...initialState(fields, 'new'),
      name: 'api',
      urlPath: '/api',
      method: 'POST',
      subPrefixes: 'x\ny',
      password: 's3cret',
    };
    const { body, errors } = createBody(fields, s);
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'api',
      active: true,
      urlPath: '/api',
      method: 'POST',
      timeoutMs: 30000,
      headers: {},
      subPrefixes: ['x', 'y'],
      password: 's3cret',
    });
  });
  it('input errors are reported per field', () => {
    const { errors } = createBody(fields, { ...initialState(fields, 'new'), timeoutMs: '12s', headers: '{' });
    expect(Object.keys(errors).sort()).toEqual(['headers', 'timeoutMs']);
  });
});

describe('patchBody', () => {
  const data = {
    name: 'api',
    active: true,
    urlPath: '/x',
    timeoutMs: 5000,
    headers: { a: '1' },
    subPrefixes: ['a'],
    password: '******',
  };
  const initial = initialState(fields, 'edit', data);
  it('nothing changed → empty patch', () => {
    expect(patchBody(fields, initial, { ...initial })).toEqual({ body: {}, errors: {} });
  });
  it('changed fields only; formatting-only changes are no change', () => {
    const now = { ...initial, timeoutMs: '6000', headers: '{"a":"1"}', active: false };
    expect(patchBody(fields, initial, now).body).toEqual({ timeoutMs: 6000, active: false });
  });
  it('emptied optional fields → null; secrets only when typed; rename', () => {
    const now = { ...initial, timeoutMs: '', subPrefixes: '', password: 'new', name: 'api2' };
    expect(patchBody(fields, initial, now).body).toEqual({
      timeoutMs: null,
      subPrefixes: null,
      password: 'new',
      name: 'api2',
    });
  });
  it('an emptied name is not sent as null', () => {
    expect(patchBody(fields, initial, { ...initial, name: '' }).body).toEqual({});
  });
  it('bad input → errors', () => {
    expect(patchBody(fields, initial, { ...initial, timeoutMs: 'x' }).errors).toEqual({
      timeoutMs: 'must be a number',
    });
  });
});

describe('mapProblems', () => {
  it('field problems to fields, nested paths to their top field, the rest to the form', () => {
    const m = mapProblems(
      [
        'timeoutMs: must be ≥ 1',
        'headers.0: bad header',
        'urlPath: required',
        'urlPath: must start with /',
        'something odd',
        'nope: unknown field',
      ],
      fields.map((x) => x.name),
    );
    expect(m.fields).toEqual({
      timeoutMs: 'must be ≥ 1',
      headers: 'headers.0: bad header',
      urlPath: 'required; must start with /',
    });
    expect(m.form).toEqual(['something odd', 'nope: unknown field']);
  });
});

describe('orderFields', () => {
  it('name, active, required, rest', () => {
    expect(
      orderFields(fields)
        .map((x) => x.name)
        .slice(0, 4),
    ).toEqual(['name', 'active', 'urlPath', 'method']);
  });
});
