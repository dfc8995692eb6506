/**
 * Differential suite of Wharf's HTTP/1.1 front against node:http (issue 13). fast-check generates request
 * sequences — valid, near-valid (case, OWS, bare LF, duplicate headers, obs-fold, bad Content-Length,
 * CL+TE, odd methods/targets/versions, NUL/CTL bytes, huge tokens) and hostile — and each sequence goes
 * over a raw socket to (a) an HttpFront whose channel runs an echo service, with a node:http fallback
 * that runs Wharf's checks then echoes, and (b) a plain node:http server that echoes. Properties:
 * - what (b) refuses (4xx/5xx, a close, no answer), (a) refuses too;
 * - what (a) refuses and (b) accepts is one of the deliberate differences (STRICTER below);
 * - what both accept parses to the same method, path, query, header values and body;
 * - a pipelined sequence never makes more invocations (service + fallback) than answers the client got.
 * `npm test` runs a fixed seed and WHARF_DIFF_RUNS (default 150) cases; a long run:
 * `WHARF_DIFF_RUNS=20000 WHARF_DIFF_SEED=<n> npx vitest run --project unit src/channels/http/front/differential.test.ts`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, requestHeaders } from '../handler.js';
import { parseAnswers, startFront, type FrontRig } from '../../../../test/support/http-front.js';

const RUNS = Number(process.env['WHARF_DIFF_RUNS'] ?? 150);
const SEED = Number(process.env['WHARF_DIFF_SEED'] ?? 13013);
const QUIET_MS = 400;
const OWED_MS = 15_000;

interface Echo {
  m: string;
  p: string;
  q: Record<string, unknown>;
  h: Record<string, unknown>;
  b: string;
}

const sorted = (h: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.keys(h)
      .sort()
      .map((k) => [k, h[k]]),
  );

function echoOf(req: IncomingMessage, headers: Record<string, unknown>, body: Buffer): Echo {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return {
    m: req.method ?? '',
    p: q === -1 ? url : url.slice(0, q),
    q: { ...parseQuery(q === -1 ? '' : url.slice(q + 1)) },
    h: sorted(headers),
    b: body.toString('latin1'),
  };
}

function nodeEcho(wharfChecks: boolean, count: () => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    count();
    const bad = wharfChecks ? checkRequest(req) : undefined;
    if (bad !== undefined) {
      res.writeHead(bad.status, { connection: 'close', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: bad.code } }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = wharfChecks ? { ...requestHeaders(req) } : { ...req.headers };
      const out = JSON.stringify(echoOf(req, headers, Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  };
}

// ---- generation ----------------------------------------------------------------------------------

interface Req {
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
  body: string;
  framing: 'none' | 'cl' | 'chunked' | 'cl+te' | 'two-cl' | 'bad-cl' | 'cl-ows';
  clOws: [string, string];
  badCl: string;
  eol: 'crlf' | 'bare-lf-one' | 'bare-lf-all';
  fold: boolean;
  ctl: string | null;
  hugeHeader: boolean;
  hosts: number;
}

const tokenChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~';
const token = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...tokenChars), minLength: min, maxLength: max });
const queryChars = 'abcxyz0123=&%+-_.!~*()[],;:@$/?';
const owsArb = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
const valueArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.,;=/"()'), maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\xe9', '\xff', '\x80', 'a'), maxLength: 5 }) },
);
const headerArb: fc.Arbitrary<[string, string]> = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'Accept',
      'accept',
      'ACCEPT',
      'Cookie',
      'Set-Cookie',
      'User-Agent',
      'X-Thing',
      'x-thing',
      'Content-Type',
      'Authorization',
      'Constructor',
      'toString',
      'Via',
      'Connection',
    ),
    token(1, 12).map((t) => `X-${t}`),
  ),
  fc.tuple(owsArb, valueArb, owsArb).map(([a, v, b]) => `${a}${v}${b}`),
);

const reqArb: fc.Arbitrary<Req> = fc.record({
  method: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('get', 'Post', 'BREW', 'PROPFIND', 'M-SEARCH', 'CONNECT', 'TRACE', 'G ET', 'GET\x00'),
    },
  ),
  target: fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .tuple(token(1, 10), fc.option(fc.string({ unit: fc.constantFrom(...queryChars), maxLength: 24 })))
        .map(([s, q]) => `/d/${s}${q === null ? '' : `?${q}`}`),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '*',
        'http://h/d/a',
        '/d/a b',
        '/d/a\x01',
        '/d/\x7f',
        'd/a',
        '',
        '/nowhere',
        `/d/${'a'.repeat(9000)}`,
        '/d/a/b',
      ),
    },
  ),
  version: fc.oneof(
    { weight: 10, arbitrary: fc.constant('HTTP/1.1') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'HTTP/1.0',
        'HTTP/2.0',
        'HTTP/1.2',
        'HTTP/0.9',
        'http/1.1',
        'HTTP/1.1 ',
        'HTTP/1',
        'HTTP/11',
        '',
      ),
    },
  ),
  headers: fc.array(headerArb, { maxLength: 6 }),
  body: fc.string({ unit: fc.constantFrom(...'abc{}[]":,0123 \n'), maxLength: 40 }),
  framing: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('none' as const, 'cl' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'chunked' as const,
        'cl+te' as const,
        'two-cl' as const,
        'bad-cl' as const,
        'cl-ows' as const,
      ),
    },
  ),
  clOws: fc.tuple(fc.constantFrom('', ' ', '\t', ' \t '), fc.constantFrom('', ' ', '  ', '\t', ' \t')),
  badCl: fc.constantFrom('1x', '-1', '+1', '1, 1', '0x1', '', ' ', '99999999999999999999'),
  eol: fc.oneof(
    { weight: 20, arbitrary: fc.constant('crlf' as const) },
    { weight: 1, arbitrary: fc.constantFrom('bare-lf-one' as const, 'bare-lf-all' as const) },
  ),
  fold: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  ctl: fc.oneof(
    { weight: 20, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom('\x00', '\x01', '\x7f', '\r', '\x0b') },
  ),
  hugeHeader: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  hosts: fc.oneof({ weight: 12, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(0, 2) }),
});

function serialize(r: Req, last: boolean): string {
  const lines: string[] = [`${r.method} ${r.target} ${r.version}`.replace(/ $/, r.version === '' ? '' : ' ')];
  for (let i = 0; i < r.hosts; i++) lines.push(i === 0 ? 'Host: example.test' : 'host: other.test');
  for (const [n, v] of r.headers) {
    if (n.toLowerCase() === 'connection' && !last) continue; // only the last request of a sequence may close
    lines.push(`${n}:${v.startsWith(' ') || v.startsWith('\t') ? '' : ' '}${v}`);
  }
  if (r.fold) lines.push('X-Folded: a', ' b');
  if (r.ctl !== null) lines.push(`X-Ctl: a${r.ctl}b`);
  if (r.hugeHeader) lines.push(`X-Huge: ${'h'.repeat(17 * 1024)}`);
  const body = r.body;
  let wire = '';
  const len = Buffer.byteLength(body, 'latin1');
  switch (r.framing) {
    case 'none':
      break;
    case 'cl':
      lines.push(`Content-Length: ${len}`);
      wire = body;
      break;
    case 'cl-ows':
      lines.push(`Content-Length:${r.clOws[0]}${len}${r.clOws[1]}`);
      wire = body;
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      wire = `${len > 0 ? `${len.toString(16)}\r\n${body}\r\n` : ''}0\r\n\r\n`;
      break;
    case 'cl+te':
      lines.push(`Content-Length: ${len}`, 'Transfer-Encoding: chunked');
      wire = `${len > 0 ? `${len.toString(16)}\r\n${body}\r\n` : ''}0\r\n\r\n`;
      break;
    case 'two-cl':
      lines.push(`Content-Length: ${len}`, `Content-Length: ${len + (len % 2)}`);
      wire = body;
      break;
    case 'bad-cl':
      lines.push(`Content-Length: ${r.badCl}`);
      wire = body;
      break;
  }
  if (r.framing !== 'none' && !r.headers.some(([n]) => n.toLowerCase() === 'content-type'))
    lines.push('Content-Type: text/plain');
  let head = `${lines.join('\r\n')}\r\n\r\n`;
  if (r.eol === 'bare-lf-all') head = head.replace(/\r\n/g, '\n');
  else if (r.eol === 'bare-lf-one') head = head.replace('\r\n', '\n');
  return head + wire;
}

/** Deliberate differences: what the front + Wharf's checks refuse and plain node:http accepts. */
function stricter(r: Req, wire: string): string | undefined {
  if (r.version !== 'HTTP/1.1' && r.version !== 'HTTP/1.0')
    return 'HTTP version other than 1.0 / 1.1 (0.9 and 2.0 included)';
  if (/^[^ ]+ [^ ]+$/.test(wire.slice(0, wire.search(/\r?\n/)))) return 'HTTP/0.9 request line (no version)';
  if (r.hosts > 1) return 'two Host headers';
  if (
    r.headers.some(([n, v]) => n.toLowerCase() === 'content-type' && !/^\s*text\/plain/i.test(v)) &&
    r.framing !== 'none'
  )
    return 'channel content type (415, channel rules)';
  return undefined;
}

// ---- the two servers and the client ----------------------------------------------------------------

interface Outcome {
  answers: Array<{ status: number; echo: Echo | undefined }>;
  closed: boolean;
}

/**
 * Sends `wire`, collects answers until `expected` came, the server closed, or nothing happened for
 * QUIET_MS — but never gives up while the server still owes an answer for a request it started to run
 * (`owed()`; a loaded machine may starve this process past the quiet time), up to OWED_MS.
 */
async function exchange(port: number, wire: string, expected: number, owed: () => number): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const answers: Outcome['answers'] = [];
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      if (timer) clearTimeout(timer);
      s.destroy();
      resolve({ answers, closed });
    };
    const quiet = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () => (answers.length < owed() && Date.now() - started < OWED_MS ? quiet() : done()),
        QUIET_MS,
      );
    };
    s.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      const r = parseAnswers(data);
      data = Buffer.from(r.rest);
      for (const a of r.done) {
        let echo: Echo | undefined;
        try {
          if (a.status === 200) echo = JSON.parse(a.body) as Echo;
        } catch {
          echo = undefined;
        }
        answers.push({ status: a.status, echo });
      }
      if (answers.length >= expected) done();
      else quiet();
    });
    s.on('close', () => {
      closed = true;
      done();
    });
    s.on('error', () => undefined);
    s.write(Buffer.from(wire, 'latin1'));
    quiet();
  });
}

let rig: FrontRig;
let plain: Server;
let plainPort = 0;
let fallbackCalls = 0;
let plainCalls = 0;
const invokedA = (): number => rig.ctx.calls.length + fallbackCalls;

beforeAll(async () => {
  rig = await startFront({
    services: {
      echo: (c) => {
        const inv = c.inv;
        const p = inv.params as { path: Record<string, string>; query: Record<string, unknown> };
        const h = { ...(inv.headers as Record<string, unknown>) };
        return JSON.stringify({
          m: inv.method ?? '',
          p: `/d/${p.path['x'] ?? ''}`,
          q: { ...p.query },
          h: sorted(h),
          b: c.raw.toString('latin1'),
        } satisfies Echo);
      },
    },
    listener: nodeEcho(true, () => fallbackCalls++),
  });
  rig.channel({ urlPath: '/d/{x}', service: 'echo', dataFormat: 'plain' });
  plain = createServer(nodeEcho(false, () => plainCalls++));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  plainPort = (plain.address() as AddressInfo).port;
});

afterAll(async () => {
  await rig.close();
  plain.closeAllConnections();
  await new Promise<void>((r) => plain.close(() => r()));
});

const ok = (a: Outcome['answers'][number] | undefined): boolean =>
  a !== undefined && a.status === 200 && a.echo !== undefined;

describe('HTTP front vs node:http (differential, fast-check)', () => {
  const reasons = new Map<string, number>();
  const counts = { cases: 0, bothOk: 0, bothRefused: 0, stricter: 0, pipelined: 0, pipelinedAnswered: 0 };
  afterAll(() =>
    console.log(
      `differential: ${counts.cases} cases (seed ${SEED}): ${counts.bothOk} requests accepted by both, ${counts.bothRefused} refused by both, ${counts.stricter} refused only by the front (deliberate); ${counts.pipelined} pipelined sequences (${counts.pipelinedAnswered} answered in full); stricter: ${JSON.stringify(Object.fromEntries(reasons))}`,
    ),
  );

  it('refuses what node:http refuses, parses alike what both accept, never runs more than it answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(reqArb, { minLength: 1, maxLength: 3 }), async (reqs) => {
        counts.cases++;
        const wires = reqs.map((r, i) => serialize(r, i === reqs.length - 1));
        // Each request alone, on its own connection, to both servers.
        for (let i = 0; i < reqs.length; i++) {
          const ranA = invokedA();
          const ranB = plainCalls;
          const [a, b] = await Promise.all([
            exchange(rig.port, wires[i]!, 1, () => invokedA() - ranA),
            exchange(plainPort, wires[i]!, 1, () => plainCalls - ranB),
          ]);
          const fa = a.answers[0];
          const nb = b.answers[0];
          if (!ok(nb)) {
            expect(
              ok(fa),
              `node:http refused (${nb?.status ?? 'no answer'}), the front took it:\n${JSON.stringify(wires[i])}`,
            ).toBe(false);
            counts.bothRefused++;
          } else if (!ok(fa)) {
            const why = stricter(reqs[i]!, wires[i]!);
            expect(
              why,
              `the front refused (${fa?.status ?? 'no answer'}) what node:http took:\n${JSON.stringify(wires[i])}`,
            ).toBeDefined();
            counts.stricter++;
            reasons.set(why!, (reasons.get(why!) ?? 0) + 1);
          } else {
            expect(fa!.echo, JSON.stringify(wires[i])).toEqual(nb!.echo);
            counts.bothOk++;
          }
        }
        // The whole sequence pipelined in one write: the front runs a service only for a request whose answer
        // the client gets. (Once a connection is handed off, node:http owns it: like plain node:http it may run
        // a complete request and drop its answer when a later request in the same read is malformed.)
        if (reqs.length > 1) {
          counts.pipelined++;
          const services = rig.ctx.calls.length;
          const wire = wires.join('');
          const a = await exchange(rig.port, wire, reqs.length, () => rig.ctx.calls.length - services);
          const ran = rig.ctx.calls.length - services;
          expect(ran, JSON.stringify(wire)).toBeLessThanOrEqual(a.answers.length);
          if (a.answers.length === reqs.length) counts.pipelinedAnswered++;
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 600_000);
});
