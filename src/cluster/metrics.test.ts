import { describe, expect, it } from 'vitest';
import { RequestMetrics, renderMetrics, type MetricsSnapshot } from './metrics.js';

const snap = (workerId: number, m: RequestMetrics, extra: Partial<MetricsSnapshot> = {}): MetricsSnapshot => ({
  workerId,
  pid: 1000 + workerId,
  configVersion: 7,
  modules: { 'a.ts': 'h' },
  series: m.list(),
  connectors: [],
  rssBytes: 1,
  heapUsedBytes: 2,
  uptimeSeconds: 3,
  ...extra,
});

describe('metrics', () => {
  it('sums requests, errors and histograms over workers; per-worker versions; valid exposition format', () => {
    const a = new RequestMetrics();
    const b = new RequestMetrics();
    a.observe('echo', 'test.echo', 200, 0.5);
    a.observe('echo', 'test.echo', 200, 30);
    b.observe('echo', 'test.echo', 200, 2);
    b.observe('echo', 'test.echo', 400, 1);
    b.observe('echo', 'test.echo', 503, 20_000);
    const text = renderMetrics(
      'server1',
      [
        snap(1, a),
        snap(2, b, {
          configVersion: 6,
          connectors: [{ kind: 'channels.http', name: 'echo', placement: 'worker', state: 'running', status: 'up' }],
        }),
      ],
      { odbVersion: 7 },
    );
    expect(text).toMatch(
      /^wharf_http_requests_total\{server="server1",channel="echo",service="test\.echo",code="200"\} 3$/m,
    );
    expect(text).toMatch(
      /^wharf_http_requests_total\{server="server1",channel="echo",service="test\.echo",code="503"\} 1$/m,
    );
    expect(text).toMatch(/^wharf_http_request_errors_total\{.*class="client"\} 1$/m);
    expect(text).toMatch(/^wharf_http_request_errors_total\{.*class="server"\} 1$/m);
    expect(text).toMatch(/^wharf_http_request_duration_seconds_bucket\{.*le="0\.001"\} 2$/m);
    expect(text).toMatch(/^wharf_http_request_duration_seconds_bucket\{.*le="0\.0025"\} 3$/m);
    expect(text).toMatch(/^wharf_http_request_duration_seconds_bucket\{.*le="10"\} 4$/m);
    expect(text).toMatch(/^wharf_http_request_duration_seconds_bucket\{.*le="\+Inf"\} 5$/m);
    expect(text).toMatch(/^wharf_http_request_duration_seconds_count\{.*\} 5$/m);
    expect(text).toMatch(/^wharf_config_version\{server="server1",worker="2"\} 6$/m);
    expect(text).toMatch(/^wharf_config_version_odb\{server="server1"\} 7$/m);
    expect(text).toMatch(
      /^wharf_connector_instances\{server="server1",kind="channels\.http",name="echo",status="up"\} 1$/m,
    );
    expect(text).not.toMatch(/wharf_async_invocations_total/);
    for (const line of text.trim().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+)$/);
  });

  it('escapes label values', () => {
    const m = new RequestMetrics();
    m.observe('a"b\\c', 'x\ny', 200, 1);
    const text = renderMetrics('s', [snap(1, m)]);
    expect(text).toContain('channel="a\\"b\\\\c",service="x\\ny"');
  });
});
