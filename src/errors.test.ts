import { describe, expect, it } from 'vitest';
import {
  BadRequest,
  Conflict,
  errorRegistry,
  Forbidden,
  isWharfError,
  MethodNotAllowed,
  normalizeError,
  NotFound,
  toErrorBody,
  TooManyRequests,
  Unauthorized,
  WharfError,
  wharfError,
  type ErrorCode,
} from './errors.js';

describe('errorRegistry', () => {
  it('every code is WHARF_ERR_*, with an HTTP status and a message', () => {
    for (const [code, spec] of Object.entries(errorRegistry)) {
      expect(code).toMatch(/^WHARF_ERR_[A-Z_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(spec.message.length).toBeGreaterThan(0);
    }
  });

  it('a WharfError of every code gets the registry status', () => {
    for (const code of Object.keys(errorRegistry) as ErrorCode[]) {
      const e = new WharfError(code, ['a', 'b', 'c']);
      expect(e.status).toBe(errorRegistry[code].status);
      expect(e.code).toBe(code);
      expect(e.message).not.toContain('%s');
    }
  });
});

describe('WharfError', () => {
  it('fills %s placeholders in order', () => {
    const e = new WharfError('WHARF_ERR_TIMEOUT', ['crm.get', 5000]);
    expect(e.message).toBe('Service `crm.get` did not answer within 5000 ms');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WharfError');
  });

  it('missing args leave %s; extra args are ignored; %s in args is not re-expanded', () => {
    expect(new WharfError('WHARF_ERR_TIMEOUT', ['x']).message).toBe('Service `x` did not answer within %s ms');
    expect(new WharfError('WHARF_ERR_NOT_FOUND', ['a', 'b']).message).toBe('a');
    expect(new WharfError('WHARF_ERR_OBJECT_EXISTS', ['%s', 'n']).message).toBe('%s `n` already exists');
  });

  it('retryable follows the registry', () => {
    expect(new WharfError('WHARF_ERR_TIMEOUT').retryable).toBe(true);
    expect(new WharfError('WHARF_ERR_SHUTTING_DOWN').retryable).toBe(true);
    expect(new WharfError('WHARF_ERR_BAD_REQUEST').retryable).toBe(false);
  });

  it('options: cause, details, status override, headers; absent ones are not set', () => {
    const cause = new Error('root');
    const e = new WharfError('WHARF_ERR_CONFLICT', ['x'], {
      cause,
      details: { a: 1 },
      status: 418,
      headers: { 'x-h': '1' },
    });
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ a: 1 });
    expect(e.status).toBe(418);
    expect(e.headers).toEqual({ 'x-h': '1' });
    const plain = new WharfError('WHARF_ERR_CONFLICT', ['x']);
    expect('cause' in plain).toBe(false);
    expect(plain.details).toBeUndefined();
    expect(plain.headers).toBeUndefined();
  });

  it('wharfError() is a shorthand', () => {
    expect(wharfError('WHARF_ERR_OBJECT_NOT_FOUND', 'HTTP channel', 'crm')).toMatchObject({
      status: 404,
      message: 'HTTP channel `crm` does not exist',
    });
  });
});

describe('service-raised errors', () => {
  it('map to their status with a default message', () => {
    const cases: Array<[WharfError, string, number, string]> = [
      [new BadRequest(), 'BadRequest', 400, 'Bad request'],
      [new Unauthorized(), 'Unauthorized', 401, 'Unauthorized'],
      [new Forbidden(), 'Forbidden', 403, 'Forbidden'],
      [new NotFound(), 'NotFound', 404, 'Not found'],
      [new MethodNotAllowed(), 'MethodNotAllowed', 405, 'Method not allowed'],
      [new Conflict(), 'Conflict', 409, 'Conflict'],
      [new TooManyRequests(), 'TooManyRequests', 429, 'Too many requests'],
    ];
    for (const [e, name, status, message] of cases) {
      expect(e).toBeInstanceOf(WharfError);
      expect({ name: e.name, status: e.status, message: e.message }).toEqual({ name, status, message });
      expect(e.headers).toBeUndefined();
    }
  });

  it('carry their extras: details, WWW-Authenticate, Allow, Retry-After', () => {
    expect(new BadRequest('bad id', { element: 'id' }).details).toEqual({ element: 'id' });
    expect(new Unauthorized('who?', 'Basic realm="Wharf"').headers).toEqual({
      'www-authenticate': 'Basic realm="Wharf"',
    });
    expect(new MethodNotAllowed('no', ['GET', 'POST']).headers).toEqual({ allow: 'GET, POST' });
    expect(new TooManyRequests('slow down', 30).headers).toEqual({ 'retry-after': '30' });
    expect(new TooManyRequests('slow down', 0).headers).toEqual({ 'retry-after': '0' });
  });

  it('a custom message is kept as is (no %s processing of the message itself)', () => {
    expect(new NotFound('Customer 100% gone %s').message).toBe('Customer 100% gone %s');
  });
});

describe('toErrorBody, normalizeError, isWharfError', () => {
  it('the client view has code, message, cid and details only', () => {
    const e = new BadRequest('bad', { element: 'x' });
    expect(toErrorBody(e, 'c1')).toEqual({
      code: 'WHARF_ERR_BAD_REQUEST',
      message: 'bad',
      cid: 'c1',
      details: { element: 'x' },
    });
    const body = toErrorBody(new NotFound(), 'c2');
    expect(body).toEqual({ code: 'WHARF_ERR_NOT_FOUND', message: 'Not found', cid: 'c2' });
    expect(JSON.stringify(body)).not.toContain('stack');
  });

  it('anything not a WharfError becomes a 500 naming only the cid', () => {
    const boom = new TypeError('secret internals');
    const e = normalizeError(boom, 'cid-9');
    expect(e).toMatchObject({
      code: 'WHARF_ERR_INTERNAL',
      status: 500,
      message: 'Internal error; correlation id cid-9',
    });
    expect(e.cause).toBe(boom);
    expect(e.message).not.toContain('secret');
    expect(normalizeError('a string', 'c').code).toBe('WHARF_ERR_INTERNAL');
    const w = new Conflict();
    expect(normalizeError(w, 'c')).toBe(w);
  });

  it('isWharfError', () => {
    expect(isWharfError(new NotFound())).toBe(true);
    expect(isWharfError(new Error('x'))).toBe(false);
    expect(isWharfError({ code: 'WHARF_ERR_NOT_FOUND' })).toBe(false);
  });
});
