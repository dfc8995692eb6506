import { describe, expect, it } from 'vitest';
import type { WorkerRuntime } from '../../server/runtime.js';
import { baseUrlOf } from './runtime.js';

const rt = { opts: { config: { host: '127.0.0.1', port: 11223 } } } as unknown as WorkerRuntime;
const trusting = {
  opts: { config: { host: '127.0.0.1', port: 11223, contracts: { public: true, trustForwarded: true } } },
} as unknown as WorkerRuntime;

describe('the base URL written into contracts', () => {
  it("is the request's scheme and Host", () => {
    expect(baseUrlOf({ host: 'api.example.com:8080' }, false, undefined, rt)).toBe('http://api.example.com:8080');
    expect(baseUrlOf({ host: '[::1]:11223' }, true, undefined, rt)).toBe('https://[::1]:11223');
  });
  it("falls back to the server's address without a usable Host", () => {
    expect(baseUrlOf({}, false, undefined, rt)).toBe('http://127.0.0.1:11223');
    expect(baseUrlOf({ host: 'evil.com/"><x' }, false, undefined, rt)).toBe('http://127.0.0.1:11223');
  });
  it('is `base` when given (trailing slashes dropped, a path prefix kept); anything but http(s) is a 400', () => {
    expect(baseUrlOf({ host: 'x' }, false, 'https://lb.example.com/', rt)).toBe('https://lb.example.com');
    expect(baseUrlOf({ host: 'x' }, false, 'https://lb.example.com:8443/api//', rt)).toBe(
      'https://lb.example.com:8443/api',
    );
    expect(() => baseUrlOf({}, false, 'ftp://x', rt)).toThrow(/http/);
    expect(() => baseUrlOf({}, false, 'not a url', rt)).toThrow(/not a URL/);
  });
  it('takes X-Forwarded-Proto/-Host only with contracts.trustForwarded (the first value; malformed ones ignored)', () => {
    const fwd = { host: 'wharf1:11223', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };
    expect(baseUrlOf(fwd, false, undefined, rt)).toBe('http://wharf1:11223');
    expect(baseUrlOf(fwd, false, undefined, trusting)).toBe('https://api.example.com');
    expect(
      baseUrlOf(
        { host: 'h', 'x-forwarded-proto': 'HTTPS, http', 'x-forwarded-host': ['a.example.com:8443, b', 'c'] },
        false,
        undefined,
        trusting,
      ),
    ).toBe('https://a.example.com:8443');
    expect(baseUrlOf({ host: 'h:1', 'x-forwarded-proto': 'http' }, true, undefined, trusting)).toBe('http://h:1');
    expect(
      baseUrlOf(
        { host: 'h:1', 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil.com/"><x' },
        true,
        undefined,
        trusting,
      ),
    ).toBe('https://h:1');
    expect(baseUrlOf({ 'x-forwarded-host': '' }, false, undefined, trusting)).toBe('http://127.0.0.1:11223');
    // `base` (the admin API's ?base=, the CLI's --base) still wins.
    expect(baseUrlOf(fwd, false, 'http://given.example.com', trusting)).toBe('http://given.example.com');
  });
});
