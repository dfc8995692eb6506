/**
 * `testService` with a `format`: the request goes through the HTTP channel's own `serve` (Content-Type
 * check, body limit, the data format's parser, SimpleIO, the service, the format's renderer), so a body
 * gives exactly the input and the output exactly the document a real channel would, and a body the
 * channel refuses is refused with the same error.
 */
import { stringify as stringifyQuery } from 'node:querystring';
import { serve, type ChannelCall } from '../channels/http/dispatch.js';
import { httpChannelKind, type HttpChannelConfig } from '../channels/http/kind.js';
import { buildRoute } from '../channels/http/route.js';
import type { ConnectorContext } from '../connectors/types.js';
import { describeIssues } from '../config/kind.js';
import type { Pipeline, InvocationResult } from '../service/pipeline.js';
import { WharfError } from '../errors.js';

export type TestFormat = 'json' | 'xml' | 'soap11' | 'soap12' | 'form' | 'plain';
export const TEST_FORMATS: readonly TestFormat[] = ['json', 'xml', 'soap11', 'soap12', 'form', 'plain'];

/** Channel settings a test may set (the rest are the HTTP channel's defaults). */
export type TestChannelSettings = Partial<
  Pick<
    HttpChannelConfig,
    | 'name'
    | 'urlPath'
    | 'soapAction'
    | 'maxBodySize'
    | 'paramsPriority'
    | 'paramsOverBody'
    | 'requestElement'
    | 'responseElement'
    | 'maxDepth'
    | 'acceptContentTypes'
  >
>;

const CONTENT_TYPES: Record<TestFormat, string> = {
  json: 'application/json',
  xml: 'application/xml',
  soap11: 'text/xml; charset=utf-8',
  soap12: 'application/soap+xml; charset=utf-8',
  form: 'application/x-www-form-urlencoded',
  plain: 'text/plain; charset=utf-8',
};

const configs = new Map<string, HttpChannelConfig>();

/** The channel's config (validated as the admin API would), remembered per settings. */
export function channelConfig(
  format: TestFormat,
  service: string,
  settings: TestChannelSettings | undefined,
): HttpChannelConfig {
  if (!TEST_FORMATS.includes(format))
    throw new TypeError(`testService: format \`${String(format)}\` is not one of ${TEST_FORMATS.join(', ')}`);
  const key = `${format}\u0000${service}\u0000${settings ? JSON.stringify(settings) : ''}`;
  const known = configs.get(key);
  if (known) return known;
  const soap = format === 'soap11' || format === 'soap12';
  const parsed = httpChannelKind.schema.safeParse({
    name: 'test',
    urlPath: '/test',
    ...settings,
    service,
    dataFormat: soap ? 'soap' : format,
    ...(soap ? { soapVersion: format === 'soap11' ? '1.1' : '1.2' } : {}),
  });
  if (!parsed.success)
    throw new WharfError('WHARF_ERR_CONFIG_INVALID', [
      `testService channel: ${describeIssues(parsed.error).join('; ')}`,
    ]);
  if (configs.size > 256) configs.clear();
  configs.set(key, parsed.data);
  return parsed.data;
}

export interface ChannelRequest {
  method: string;
  body: Buffer | undefined;
  headers: Readonly<Record<string, string | undefined>>;
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  cid: string;
}

export interface ChannelAnswer {
  result: InvocationResult;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const noServer = (what: string) => (): never => {
  throw new Error(`wharf/testing: ${what} is not available to a channel in a test`);
};

/** Runs the request through the HTTP channel's `serve`; rejects with the error the channel would answer with. */
export async function throughChannel(
  config: HttpChannelConfig,
  pipeline: Pipeline,
  req: ChannelRequest,
): Promise<ChannelAnswer> {
  let result: InvocationResult | undefined;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const ctx: ConnectorContext = {
    logger: silent,
    server: { name: 'test', workerId: 1, dataDir: '' },
    async invoke(inv) {
      const p = inv.parsed ?? { payload: undefined, input: undefined };
      result = await pipeline.run({
        service: inv.service,
        cid: inv.cid ?? req.cid,
        channel: inv.channel,
        method: inv.method ?? 'POST',
        raw: inv.raw,
        payload: p.payload,
        body: p.input,
        headers: inv.headers ?? {},
        params: {
          path: inv.params?.path ?? {},
          query: inv.params?.query ?? {},
        },
        priorities: inv.priorities,
      });
      return result;
    },
    resolve: () => undefined,
    state: {
      get: noServer('state'),
      set: noServer('state'),
      list: noServer('state'),
    },
    lease: noServer('lease'),
  };
  const route = buildRoute(config, ctx);
  const headers: Record<string, string> = {};
  const raw = req.body;
  if (raw !== undefined) {
    headers['content-type'] = CONTENT_TYPES[formatOf(config)];
    headers['content-length'] = String(raw.length);
    if (config.dataFormat === 'soap' && config.soapAction) {
      if (config.soapVersion === '1.1') headers['soapaction'] = `"${config.soapAction}"`;
      else headers['content-type'] += `; action="${config.soapAction}"`;
    }
  }
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = v;
  }
  const call: ChannelCall = {
    method: req.method,
    headers,
    params: req.path,
    qs: stringifyQuery(req.query),
    cid: req.cid,
    readBody: (limit) =>
      raw !== undefined && raw.length > limit
        ? Promise.reject(new WharfError('WHARF_ERR_BODY_TOO_LARGE', [limit]))
        : Promise.resolve(raw ?? Buffer.alloc(0)),
    discardBody: () => undefined,
  };
  const reply = await serve(route, config.service ?? '', call);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.headers)) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  const body =
    reply.body === undefined
      ? Buffer.alloc(0)
      : typeof reply.body === 'string'
        ? Buffer.from(reply.body, 'utf8')
        : reply.body;
  return { result: result!, status: reply.status, headers: out, body };
}

function formatOf(config: HttpChannelConfig): TestFormat {
  if (config.dataFormat === 'soap') return config.soapVersion === '1.1' ? 'soap11' : 'soap12';
  return config.dataFormat;
}
