/**
 * Scenario A's messages: the 1 KB SOAP 1.1 request of the ESB Performance Benchmark (bench/fixtures/
 * soap-1k*.xml: 7 orders, first IBM; a non-IBM variant; a wrong SOAP-header routing variant), its
 * HTTP headers, and the SOAP 1.1 Faults every system must answer on the refused paths (the same
 * bytes as bench/fixtures/wharf-esb-services.js and the Node-RED flows).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './servers.js';

export const ROUTING = 'xadmin;server1;community#1.0##';
export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

export const PAYLOAD = readFileSync(join(FIXTURES, 'soap-1k.xml'), 'utf8');
export const PAYLOAD_NON_IBM = readFileSync(join(FIXTURES, 'soap-1k-non-ibm.xml'), 'utf8');
export const PAYLOAD_BAD_ROUTING = readFileSync(join(FIXTURES, 'soap-1k-bad-routing.xml'), 'utf8');

export const HEADERS = { 'content-type': 'text/xml', soapaction: 'urn:buyStocks', routing: ROUTING };

export const faultEnvelope = (text) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP11}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>${text}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
export const FAULT_BODY = faultEnvelope('First order must be for the symbol IBM');
export const FAULT_ROUTING = faultEnvelope('Routing header does not match');

/** The four scenarios: the path each system serves them on (the echo backend echoes any path). */
export const SCENARIOS = [
  { key: 'direct', label: 'Direct proxy', path: '/proxy' },
  { key: 'body', label: 'CBR SOAP body', path: '/cbr/body' },
  { key: 'soapheader', label: 'CBR SOAP header', path: '/cbr/soapheader' },
  { key: 'transport', label: 'CBR transport header', path: '/cbr/header' },
];

/**
 * Sample requests every system must answer right before it is measured: forwarded ones must come
 * back byte for byte (the echo), refused ones as the scenario's SOAP Fault with status 500.
 */
export function samplesFor(key) {
  const ok = { name: 'IBM order, matching routing', body: PAYLOAD, headers: HEADERS, status: 200, expect: PAYLOAD };
  switch (key) {
    case 'direct':
      return [
        ok,
        {
          name: 'non-IBM order is forwarded unchanged',
          body: PAYLOAD_NON_IBM,
          headers: HEADERS,
          status: 200,
          expect: PAYLOAD_NON_IBM,
        },
      ];
    case 'body':
      return [
        ok,
        { name: 'non-IBM order → Fault', body: PAYLOAD_NON_IBM, headers: HEADERS, status: 500, expect: FAULT_BODY },
      ];
    case 'soapheader':
      return [
        ok,
        {
          name: 'SOAP-header routing mismatch → Fault',
          body: PAYLOAD_BAD_ROUTING,
          headers: HEADERS,
          status: 500,
          expect: FAULT_ROUTING,
        },
      ];
    case 'transport':
      return [
        ok,
        {
          name: 'transport-header routing mismatch → Fault',
          body: PAYLOAD,
          headers: { ...HEADERS, routing: 'xadmin;server2;community#1.0##' },
          status: 500,
          expect: FAULT_ROUTING,
        },
      ];
    default:
      throw new Error(`unknown scenario ${key}`);
  }
}
