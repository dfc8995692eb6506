/**
 * Declarations and channels the contract tests share (unit tests here; the integration test deploys
 * the same declaration as a real service module).
 */
import {
  bool,
  date,
  datetime,
  decimal,
  float,
  int,
  list,
  listOf,
  object,
  opaque,
  text,
  uuid,
} from '../../../src/service/simpleio/elements.js';
import type {
  ChannelLike,
  ContractSources,
  SecurityLike,
  ServiceLike,
} from '../../../src/service/contracts/sources.js';

export const orderInput = {
  id: int().describe('Order number'),
  customer: text(),
  placed: datetime(),
  due: date().optional(),
  total: decimal(),
  rate: float().default(1.5),
  rush: bool().default(false),
  ref: uuid().optional(),
  tags: list(text()).default([]),
  lines: listOf({ sku: text(), qty: int(), price: decimal(), note: text().optional() }),
  ship: object({
    city: text(),
    zip: text().optional(),
    geo: object({ lat: float(), lon: float() }).optional(),
  }).optional(),
  extra: opaque().optional(),
};

export const orderOutput = {
  id: int(),
  total: decimal().describe('Sum of the lines'),
  placed: datetime(),
  status: text().default('accepted'),
  note: text().optional(),
  lines: listOf({ sku: text(), amount: decimal() }),
  flags: list(bool()).optional(),
};

export const services: ServiceLike[] = [
  {
    name: 'shop.order',
    description: 'Takes an order',
    input: orderInput,
    output: orderOutput,
    hasHandle: true,
    verbs: [],
  },
  { name: 'shop.ping', hasHandle: true, verbs: [] },
  {
    name: 'shop.verbs',
    input: { id: int() },
    output: list(object({ id: int() })),
    hasHandle: false,
    verbs: ['GET', 'DELETE'],
  },
  { name: 'shop.scalar', input: { n: int().optional() }, output: int(), hasHandle: true, verbs: [] },
];

const base = {
  maxBodySize: 5 * 1024 * 1024,
  timeoutMs: 30_000,
  paramsPriority: 'query',
  paramsOverBody: true,
  soapVersion: '1.1',
} as const;

export const channels: ChannelLike[] = [
  { ...base, name: 'order-json', urlPath: '/shop/order', method: 'POST', service: 'shop.order', dataFormat: 'json' },
  {
    ...base,
    name: 'order-json-path',
    urlPath: '/shop/customer/{customer}/order/{id}',
    method: 'ANY',
    service: 'shop.order',
    dataFormat: 'json',
    security: 'basic-1',
  },
  {
    ...base,
    name: 'order-xml',
    urlPath: '/shop/order.xml',
    method: 'PUT',
    service: 'shop.order',
    dataFormat: 'xml',
    requestElement: 'order',
    responseElement: 'result',
    security: 'key-1',
  },
  {
    ...base,
    name: 'order-form',
    urlPath: '/shop/order.form',
    method: 'POST',
    service: 'shop.order',
    dataFormat: 'form',
    acceptContentTypes: ['text/plain', 'application/*+x-form'],
  },
  {
    ...base,
    name: 'order-wrapped',
    urlPath: '/shop/order.wrapped',
    method: 'PATCH',
    service: 'shop.order',
    dataFormat: 'json',
    responseElement: 'order',
    paramsOverBody: false,
  },
  {
    ...base,
    name: 'order-soap',
    urlPath: '/shop/order.soap',
    method: 'ANY',
    service: 'shop.order',
    dataFormat: 'soap',
    soapVersion: '1.2',
    soapAction: 'urn:order',
  },
  { ...base, name: 'ping-plain', urlPath: '/shop/ping', method: 'GET', service: 'shop.ping', dataFormat: 'plain' },
  { ...base, name: 'verbs', urlPath: '/shop/verbs/{id}', method: 'ANY', service: 'shop.verbs', dataFormat: 'xml' },
  { ...base, name: 'scalar', urlPath: '/shop/scalar', method: 'ANY', service: 'shop.scalar', dataFormat: 'json' },
  {
    ...base,
    name: 'missing-svc',
    urlPath: '/shop/missing',
    method: 'ANY',
    service: 'shop.nowhere',
    dataFormat: 'json',
  },
  {
    ...base,
    name: 'missing-sec',
    urlPath: '/shop/missing-sec',
    method: 'GET',
    service: 'shop.ping',
    dataFormat: 'json',
    security: 'nowhere',
  },
  {
    ...base,
    name: 'proxy',
    urlPath: '/shop/proxy/{rest}',
    method: 'ANY',
    proxyTo: 'crm',
    dataFormat: 'json',
    security: 'key-1',
  },
  {
    ...base,
    name: 'routed',
    urlPath: '/shop/routed',
    method: 'POST',
    routes: [{ when: { header: { name: 'x-a', equals: 'b' } }, proxyTo: 'crm' }],
    service: 'shop.ping',
    dataFormat: 'json',
  },
  {
    ...base,
    name: 'inactive',
    active: false,
    urlPath: '/shop/off',
    method: 'GET',
    service: 'shop.ping',
    dataFormat: 'json',
  },
];

export const security = new Map<string, SecurityLike>([
  ['basic-1', { kind: 'basicAuth', realm: 'Shop' }],
  ['key-1', { kind: 'apiKey', headerName: 'X-Shop-Key' }],
]);

export function sources(over: Partial<ContractSources> = {}): ContractSources {
  return {
    channels,
    services: new Map(services.map((s) => [s.name, s])),
    security,
    baseUrl: 'http://127.0.0.1:11223',
    version: '7',
    ...over,
  };
}
