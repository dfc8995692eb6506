/** What the router holds per HTTP channel: everything a request needs, computed once per config. */
import type { ConnectorContext } from '../../connectors/types.js';
import { codecs, type CodecOptions, type DataFormatCodec } from '../../service/formats/index.js';
import type { ChannelInfo } from '../../service/service.js';
import type { InputPriorities } from '../../service/simpleio/compile.js';
import { makeVerifier, type Verifier } from '../../security/verify.js';
import { Unauthorized } from '../../errors.js';
import type { HttpChannelConfig } from './kind.js';
import { compileRules, type CompiledRules } from './rules/rules.js';
import { mediaPolicy, type MediaPolicy } from './media.js';
import { allowOf, corsPolicy, type CorsPolicy } from './cors.js';

export interface HttpRoute {
  readonly config: HttpChannelConfig;
  readonly codec: DataFormatCodec;
  readonly codecOpts: CodecOptions;
  readonly channel: ChannelInfo;
  readonly priorities: InputPriorities;
  readonly verify: Verifier | undefined;
  readonly ctx: ConnectorContext;
  /** What the channel hands requests to, for logs and metrics: the service, `proxy:<connection>`, or `routes`. */
  readonly target: string;
  /** The channel's `routes`, compiled; undefined when it has none. */
  readonly rules: CompiledRules | undefined;
  /** The request Content-Types the channel takes (its format's and `acceptContentTypes`). */
  readonly media: MediaPolicy;
  /** The `Allow` value of OPTIONS answers. */
  readonly allow: string;
  /** The channel's `cors`, ready for requests; undefined without it. */
  readonly cors: CorsPolicy | undefined;
}

export const SECURITY_KIND_IDS = ['security.basicAuth', 'security.apiKey'] as const;

function verifierFor(config: HttpChannelConfig, ctx: ConnectorContext): Verifier | undefined {
  if (!config.security) return undefined;
  for (const kindId of SECURITY_KIND_IDS) {
    const def = ctx.resolve(kindId, config.security);
    if (def) return makeVerifier(kindId, def);
  }
  ctx.logger.warn(
    `channel ${config.name}: security definition \`${config.security}\` not found; refusing all requests`,
  );
  return () => {
    throw new Unauthorized('Unauthorized');
  };
}

export function buildRoute(config: HttpChannelConfig, ctx: ConnectorContext): HttpRoute {
  const soap = config.dataFormat === 'soap';
  const allow = allowOf(config.method);
  return {
    config,
    codec: codecs[config.dataFormat],
    codecOpts: {
      maxDepth: config.maxDepth,
      requestElement: config.requestElement,
      responseElement: config.responseElement,
      soapVersion: soap ? config.soapVersion : undefined,
      soapAction: soap ? config.soapAction : undefined,
    },
    channel: Object.freeze({
      name: config.name,
      kind: 'http',
      dataFormat: config.dataFormat,
      method: config.method,
      urlPath: config.urlPath,
      ...(soap ? { soapVersion: config.soapVersion } : {}),
      ...(config.soapAction ? { soapAction: config.soapAction } : {}),
    }),
    priorities: { params: config.paramsPriority, paramsOverBody: config.paramsOverBody },
    verify: verifierFor(config, ctx),
    ctx,
    target: config.routes ? 'routes' : (config.service ?? `proxy:${config.proxyTo ?? ''}`),
    rules: config.routes ? compileRules(config.routes, config) : undefined,
    media: mediaPolicy(config),
    allow,
    cors: corsPolicy(config.cors, allow),
  };
}
