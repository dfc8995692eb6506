import { describe, expect, it } from 'vitest';
import { errorPage, haproxyConfig, serverNames } from './haproxy-config.js';
import { defaultLbSettings, loadBalancerKind } from './kind.js';

describe('HAProxy configuration', () => {
  const paths = { errorsDir: '/env/lb/errors', statsSocket: '/env/lb/run/haproxy.sock', tlsPem: '/env/lb/tls/lb.pem' };

  it('defaults: round robin, GET /wharf/ping every 2 s rise 2 fall 2, retries + redispatch, JSON error pages, metrics kept off', () => {
    const cfg = haproxyConfig(
      defaultLbSettings(),
      [
        { name: 'server1', host: '127.0.0.1', port: 17010 },
        { name: 'server2', host: '0.0.0.0', port: 17011 },
      ],
      paths,
    );
    expect(cfg).toMatch(/bind 127\.0\.0\.1:11223\n/);
    expect(cfg).toMatch(/balance roundrobin/);
    expect(cfg).toMatch(/http-check send meth GET uri \/wharf\/ping/);
    expect(cfg).toMatch(/default-server inter 2000ms .*rise 2 fall 2/);
    // A server that is down or changing state is checked every 250 ms; live connection errors count as failed checks.
    expect(cfg).toMatch(
      /default-server inter 2000ms fastinter 250ms downinter 250ms rise 2 fall 2 observe layer4 error-limit 1 on-error fail-check on-marked-down shutdown-sessions\n/,
    );
    expect(cfg).toMatch(/retries 3/);
    expect(cfg).toMatch(/option redispatch 1/);
    expect(cfg).toMatch(/retry-on conn-failure empty-response/);
    expect(cfg).toMatch(/disable-l7-retry unless \{ method GET HEAD OPTIONS PUT DELETE \}/);
    expect(cfg).toMatch(/errorfile 503 \/env\/lb\/errors\/503\.http/);
    expect(cfg).toMatch(/stats socket \/env\/lb\/run\/haproxy\.sock .*expose-fd listeners/);
    expect(cfg).toMatch(/http-request deny deny_status 403 if \{ path_beg \/wharf\/metrics \}/);
    expect(cfg).toMatch(/server server1 127\.0\.0\.1:17010 check\n/);
    expect(cfg).toMatch(/server server2 127\.0\.0\.1:17011 check\n/);
    expect(cfg).not.toMatch(/ ssl crt /);
  });

  it('settings change the output: TLS frontend, balance, timeouts, maxconn, non-idempotent retries, metrics exposed', () => {
    const s = loadBalancerKind.schema.parse({
      name: 'x',
      frontendHost: '::1',
      frontendPort: 8080,
      tlsPort: 8443,
      balance: 'leastconn',
      maxconn: 99,
      serverTimeoutMs: 1234,
      retryNonIdempotent: true,
      exposeMetrics: true,
      checkIntervalMs: 500,
      rise: 3,
      fall: 4,
    });
    const cfg = haproxyConfig(s, [{ name: 'a b', host: '10.0.0.1', port: 1 }], paths);
    expect(cfg).toMatch(/bind \[::1\]:8080\n/);
    expect(cfg).toMatch(/bind \[::1\]:8443 ssl crt \/env\/lb\/tls\/lb\.pem/);
    expect(cfg).toMatch(/balance leastconn/);
    expect(cfg).toMatch(/maxconn 99/);
    expect(cfg).toMatch(/timeout server 1234ms/);
    expect(cfg).toMatch(/inter 500ms fastinter 250ms downinter 250ms rise 3 fall 4 /);
    // The down interval never exceeds the interval of a server that is up.
    const slow = haproxyConfig({ ...s, checkIntervalMs: 100, downCheckIntervalMs: 1000 }, [], paths);
    expect(slow).toMatch(/inter 100ms fastinter 100ms downinter 100ms /);
    const fast = haproxyConfig({ ...s, downCheckIntervalMs: 50 }, [], paths);
    expect(fast).toMatch(/inter 500ms fastinter 50ms downinter 50ms /);
    expect(cfg).not.toMatch(/disable-l7-retry/);
    expect(cfg).not.toMatch(/wharf\/metrics/);
    expect(cfg).toMatch(/server a_b 10\.0\.0\.1:1 check/);
  });

  it('no servers: a backend without servers (HAProxy answers the JSON 503)', () => {
    const cfg = haproxyConfig(defaultLbSettings(), [], paths);
    expect(cfg).not.toMatch(/^\s+server /m);
    const page = errorPage(503);
    expect(page).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\ncontent-type: application\/json\r\n/);
    const body = page.split('\r\n\r\n')[1]!;
    expect(JSON.parse(body)).toEqual({
      error: { code: 'WHARF_ERR_NO_SERVER', message: 'No Wharf server is available behind the load balancer' },
    });
    expect(page).toMatch(new RegExp(`content-length: ${Buffer.byteLength(body)}\\r\\n`));
  });

  it('server names: the ones haproxy.cfg uses (unsafe characters replaced, duplicates suffixed), for stats-socket commands', () => {
    const backends = [
      { name: 'a b', host: 'h', port: 1 },
      { name: 'a_b', host: 'h', port: 2 },
      { name: 'server1', host: 'h', port: 3 },
    ];
    expect(serverNames(backends)).toEqual(['a_b', 'a_b_', 'server1']);
    const cfg = haproxyConfig(defaultLbSettings(), backends, paths);
    for (const n of serverNames(backends)) expect(cfg).toMatch(new RegExp(`\\n    server ${n} `));
    expect(cfg).toMatch(/\nbackend wharf_servers\n/);
  });

  it('the kind validates its fields', () => {
    expect(defaultLbSettings().downCheckIntervalMs).toBe(250);
    expect(loadBalancerKind.schema.safeParse({ name: 'x', downCheckIntervalMs: 0 }).success).toBe(false);
    expect(loadBalancerKind.schema.safeParse({ name: 'x', balance: 'random-ish' }).success).toBe(false);
    expect(loadBalancerKind.schema.safeParse({ name: 'x', frontendPort: 70000 }).success).toBe(false);
    expect(loadBalancerKind.id).toBe('cluster.loadBalancer');
  });
});
