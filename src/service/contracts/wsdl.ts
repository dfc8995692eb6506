/**
 * WSDL 1.1, document/literal wrapped, of one SOAP channel, with the XSD of its service's input and
 * output embedded. It describes what the channel does today (src/service/formats/soap.ts):
 *  - the request is the Body's first child, read by local name in any namespace; the WSDL names it
 *    after the service, in the channel's target namespace (qualified, so strict clients are happy);
 *  - the answer is `<{request element}Response>` (or the channel's responseElement), qualified like
 *    the request (src/service/formats/soap.ts responseElement): a client that sends the request in the
 *    target namespace with qualified children, as this WSDL says, gets the answer in the target
 *    namespace with qualified children — so request and response share one schema, elementFormDefault
 *    qualified (issue 15 item 6; .NET and JAX-WS clients look the answer up by its qualified name);
 *  - faults carry <wharf:error xmlns:wharf="urn:wharf:error"> with <wharf:code> and <wharf:cid>;
 *  - the binding is SOAP 1.1 or 1.2 as the channel's soapVersion; soapAction is the one the channel
 *    demands (soapAction set) or empty (it accepts any).
 */
import { WharfError } from '../../errors.js';
import { escapeXml } from '../formats/xml.js';
import { XML_DECL } from '../formats/xml.js';
import type { ChannelLike, ServiceLike } from './sources.js';
import { checkName, rootElement } from './xsd.js';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const BINDING_NS = {
  '1.1': 'http://schemas.xmlsoap.org/wsdl/soap/',
  '1.2': 'http://schemas.xmlsoap.org/wsdl/soap12/',
} as const;
export const WHARF_ERROR_NS = 'urn:wharf:error';

/** An XML name from a service or channel name: characters outside NCName become `_`. */
export function xmlName(s: string): string {
  const n = s.replace(/[^\w.-]/g, '_');
  return /^[A-Za-z_]/.test(n) ? n : `_${n}`;
}

export function targetNamespace(channel: string): string {
  return `urn:wharf:channel:${encodeURIComponent(channel)}`;
}

export interface WsdlNames {
  operation: string;
  requestElement: string;
  responseElement: string;
  targetNamespace: string;
}

export function wsdlNames(ch: ChannelLike, svc: ServiceLike | undefined): WsdlNames {
  const operation = xmlName(svc?.name ?? ch.service ?? ch.name);
  return {
    operation,
    requestElement: operation,
    responseElement: ch.responseElement ?? `${operation}Response`,
    targetNamespace: targetNamespace(ch.name),
  };
}

/** The WSDL of one SOAP channel at `address` (base URL + the channel's urlPath). */
export function buildWsdl(ch: ChannelLike, svc: ServiceLike | undefined, address: string): string {
  if (ch.dataFormat !== 'soap')
    throw new WharfError('WHARF_ERR_NOT_FOUND', [
      `channel \`${ch.name}\` is not a SOAP channel (dataFormat ${ch.dataFormat}): it has no WSDL`,
    ]);
  if (ch.proxyTo || ch.routes)
    throw new WharfError('WHARF_ERR_NOT_FOUND', [
      `channel \`${ch.name}\` relays to a connection or routes by content: its contract is the upstream's, not Wharf's`,
    ]);
  const version = ch.soapVersion ?? '1.1';
  const names = wsdlNames(ch, svc);
  const { operation: op, targetNamespace: tns } = names;
  const owner = `service \`${svc?.name ?? ch.service ?? ''}\` (channel \`${ch.name}\`)`;
  checkName(names.responseElement, `channel \`${ch.name}\` responseElement`);
  if (names.responseElement === names.requestElement) {
    throw new WharfError('WHARF_ERR_CONTRACT', [
      `channel \`${ch.name}\` responseElement`,
      `\`${names.responseElement}\` is also the request element's name; the WSDL needs two names in one namespace`,
    ]);
  }
  const soap = version === '1.1' ? 'soap' : 'soap12';
  const doc =
    svc?.description ??
    (svc ? undefined : `Service \`${ch.service ?? ''}\` is not deployed on this server: the contract is opaque.`);
  const portType = `${xmlName(ch.name)}PortType`;
  const binding = `${xmlName(ch.name)}Binding`;
  const action = escapeXml(ch.soapAction ?? '');
  return (
    XML_DECL +
    `<wsdl:definitions name="${xmlName(ch.name)}" targetNamespace="${escapeXml(tns)}" xmlns:wsdl="${WSDL_NS}" xmlns:${soap}="${BINDING_NS[version]}" xmlns:xsd="${XSD_NS}" xmlns:tns="${escapeXml(tns)}" xmlns:wharf="${WHARF_ERROR_NS}">\n` +
    `<wsdl:documentation>Wharf SOAP ${version} channel ${escapeXml(ch.name)} → service ${escapeXml(svc?.name ?? ch.service ?? '')}. Generated from its SimpleIO declaration. Requests and answers are in the target namespace, elements qualified (an answer is qualified like its request).</wsdl:documentation>\n` +
    `<wsdl:types>\n` +
    `<xsd:schema targetNamespace="${escapeXml(tns)}" elementFormDefault="qualified">${rootElement(names.requestElement, svc?.input, 'input', `${owner} input`, doc)}${rootElement(names.responseElement, svc?.output, 'output', `${owner} output`)}</xsd:schema>\n` +
    `<xsd:schema targetNamespace="${WHARF_ERROR_NS}" elementFormDefault="qualified"><xsd:element name="error"><xsd:complexType><xsd:sequence><xsd:element name="code" type="xsd:string"/><xsd:element name="cid" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element></xsd:schema>\n` +
    `</wsdl:types>\n` +
    `<wsdl:message name="${op}Request"><wsdl:part name="parameters" element="tns:${names.requestElement}"/></wsdl:message>\n` +
    `<wsdl:message name="${op}Response"><wsdl:part name="parameters" element="tns:${names.responseElement}"/></wsdl:message>\n` +
    `<wsdl:message name="WharfFault"><wsdl:part name="fault" element="wharf:error"/></wsdl:message>\n` +
    `<wsdl:portType name="${portType}"><wsdl:operation name="${op}"><wsdl:input message="tns:${op}Request"/><wsdl:output message="tns:${op}Response"/><wsdl:fault name="WharfFault" message="tns:WharfFault"/></wsdl:operation></wsdl:portType>\n` +
    `<wsdl:binding name="${binding}" type="tns:${portType}"><${soap}:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>` +
    `<wsdl:operation name="${op}"><${soap}:operation soapAction="${action}" style="document"/>` +
    `<wsdl:input><${soap}:body use="literal"/></wsdl:input><wsdl:output><${soap}:body use="literal"/></wsdl:output>` +
    `<wsdl:fault name="WharfFault"><${soap}:fault name="WharfFault" use="literal"/></wsdl:fault></wsdl:operation></wsdl:binding>\n` +
    `<wsdl:service name="${xmlName(ch.name)}Service"><wsdl:port name="${xmlName(ch.name)}Port" binding="tns:${binding}"><${soap}:address location="${escapeXml(address)}"/></wsdl:port></wsdl:service>\n` +
    `</wsdl:definitions>\n`
  );
}
