import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { WharfError } from '../../errors.js';
import { int, list, object, text } from '../simpleio/elements.js';
import { channels, services } from '../../../test/support/contracts/fixtures.js';
import type { ChannelLike } from './sources.js';
import { buildWsdl } from './wsdl.js';

const run = promisify(execFile);
const ZEEP = join(import.meta.dirname, '../../../test/support/contracts/zeep_client.py');
const dir = mkdtempSync(join(tmpdir(), 'wharf-wsdl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Described {
  operations: Record<string, { input: string; output: string; soapAction: string; address: string }>;
}

/** zeep (Debian python3-zeep) builds a client from the WSDL and tells its operations. */
async function zeepDescribe(wsdl: string): Promise<Described> {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.wsdl`);
  writeFileSync(f, wsdl);
  const { stdout } = await run('/usr/bin/python3', [ZEEP, 'describe', f], { timeout: 60_000 });
  return JSON.parse(stdout) as Described;
}

const soap = channels.find((c) => c.name === 'order-soap')!;
const order = services.find((s) => s.name === 'shop.order')!;

describe('WSDL 1.1 document/literal wrapped from SimpleIO', () => {
  it('SOAP 1.2, soapAction, nested listOf/object, decimal, datetime, optional, default: zeep builds a client from it', async () => {
    const wsdl = buildWsdl(soap, order, 'http://127.0.0.1:11223/shop/order.soap');
    expect(wsdl).toContain('xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"');
    expect(wsdl).toContain('<soap12:operation soapAction="urn:order" style="document"/>');
    expect(wsdl).toContain('<xsd:element name="total" type="xsd:decimal"/>');
    expect(wsdl).toContain('<xsd:element name="placed" type="xsd:dateTime"/>');
    expect(wsdl).toContain('<xsd:element name="due" type="xsd:date" minOccurs="0"/>');
    expect(wsdl).toContain('<xsd:element name="lines" maxOccurs="unbounded">');
    expect(wsdl).toContain('<xsd:documentation>default: 1.5</xsd:documentation>');
    expect(wsdl).toContain('<xsd:documentation>Order number</xsd:documentation>');
    const d = await zeepDescribe(wsdl);
    const op = d.operations['shop.order']!;
    expect(op.soapAction).toBe('urn:order');
    expect(op.address).toBe('http://127.0.0.1:11223/shop/order.soap');
    for (const name of [
      'id: xsd:long',
      'total: xsd:decimal',
      'placed: xsd:dateTime',
      'due: xsd:date',
      'lines: {sku: xsd:string, qty: xsd:long, price: xsd:decimal, note: xsd:string}[]',
      'ship: {city: xsd:string',
    ]) {
      expect(op.input).toContain(name);
    }
    expect(op.output).toBe(
      'id: xsd:long, total: xsd:decimal, placed: xsd:dateTime, status: xsd:string, note: xsd:string, lines: {sku: xsd:string, amount: xsd:decimal}[], flags: xsd:boolean[]',
    );
  });

  it('SOAP 1.1 with any SOAPAction, a responseElement, a list output, an opaque service', async () => {
    const ch: ChannelLike = {
      ...soap,
      name: 'soap 11',
      soapVersion: '1.1',
      soapAction: undefined,
      responseElement: 'answer',
      service: 'shop.verbs',
    };
    const wsdl = buildWsdl(
      ch,
      services.find((s) => s.name === 'shop.verbs'),
      'http://h/x',
    );
    expect(wsdl).toContain('xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"');
    expect(wsdl).toContain('<soap:operation soapAction="" style="document"/>');
    expect(wsdl).toContain('<wsdl:part name="parameters" element="tns:answer"/>');
    // One schema, qualified: the answer is in the target namespace like the request (issue 15 item 6).
    expect(wsdl).toMatch(
      /<xsd:schema targetNamespace="urn:wharf:channel:soap%2011" elementFormDefault="qualified"><xsd:element name="shop.verbs">.*<xsd:element name="answer">/,
    );
    const d = await zeepDescribe(wsdl);
    expect(d.operations['shop.verbs']!.output).toContain('item: {id: xsd:long}[]');
    const opaque = await zeepDescribe(buildWsdl({ ...soap, service: 'shop.nowhere' }, undefined, 'http://h/y'));
    expect(Object.keys(opaque.operations)).toEqual(['shop.nowhere']);
  });

  it('a single scalar output and a service with no output', async () => {
    const d1 = await zeepDescribe(buildWsdl(soap, { name: 'one', input: { n: int() }, output: text() }, 'http://h/1'));
    expect(d1.operations['one']!.output).toBe('xsd:string');
    const d2 = await zeepDescribe(
      buildWsdl(soap, { name: 'none', input: { l: list(object({ a: int() })) } }, 'http://h/2'),
    );
    expect(d2.operations['none']!.input).toContain('l: {a: xsd:long}[]');
  });

  it('not a SOAP channel, a proxy, a bad element name, an unknown kind: clear errors', () => {
    expect(() => buildWsdl(channels[0]!, order, 'http://h')).toThrow(/not a SOAP channel/);
    expect(() => buildWsdl({ ...soap, service: undefined, proxyTo: 'crm' }, undefined, 'http://h')).toThrow(/upstream/);
    expect(() => buildWsdl(soap, { name: 's', input: { 'a b': int() } }, 'http://h')).toThrow(
      /`a b` is not a valid XML element name/,
    );
    expect(() => buildWsdl({ ...soap, responseElement: 's' }, { name: 's' }, 'http://h')).toThrow(
      /`s` is also the request element's name/,
    );
    try {
      buildWsdl(
        soap,
        { name: 's', output: { x: { spec: { kind: 'money' }, isRequired: true, hasDefault: false } } },
        'http://h',
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WharfError);
      expect((e as WharfError).message).toBe(
        'Cannot describe service `s` (channel `order-soap`) output element `x`: element kind `money` is not one the contract generator knows (text, int, float, decimal, bool, date, datetime, uuid, opaque, list, object)',
      );
    }
  });
});
