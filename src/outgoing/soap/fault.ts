/**
 * SOAP faults from an upstream endpoint as typed errors. SOAP 1.1: faultcode, faultstring,
 * faultactor, detail. SOAP 1.2: Code/Value (+ Subcode/Value chain), Reason/Text, Node, Role, Detail.
 */
import type { SoapVersion } from '../../service/formats/soap.js';
import { childrenOf } from '../../service/formats/xml.js';
import { UpstreamError } from '../http/errors.js';

export interface SoapFaultInit {
  connection: string;
  label: string;
  soapVersion: SoapVersion;
  faultCode: string;
  faultString: string;
  subcodes?: string[];
  actor?: string | undefined;
  detail?: unknown;
  httpStatus: number;
  envelope: string;
}

/** A SOAP Fault answered by the upstream endpoint; HTTP 502 to whoever called the service. */
export class SoapFaultError extends UpstreamError {
  readonly soapVersion: SoapVersion;
  /** 1.1 `faultcode`, 1.2 `Code/Value`, as written (e.g. `soapenv:Server`, `env:Sender`). */
  readonly faultCode: string;
  /** 1.2 `Subcode/Value` chain, outermost first (empty for 1.1). */
  readonly subcodes: readonly string[];
  /** 1.1 `faultstring`, 1.2 the first `Reason/Text`. */
  readonly faultString: string;
  /** 1.1 `faultactor`, 1.2 `Role`. */
  readonly actor: string | undefined;
  /** The `detail`/`Detail` content, parsed (element local names), or undefined. */
  readonly detail: unknown;
  readonly httpStatus: number;
  /** The whole answer envelope. */
  readonly envelope: string;

  constructor(init: SoapFaultInit) {
    super('WHARF_ERR_SOAP_FAULT', `${init.label}: SOAP fault ${init.faultCode}: ${init.faultString}`, {
      connection: init.connection,
      reason: 'fault',
      details: { faultCode: init.faultCode, faultString: init.faultString },
    });
    this.name = 'SoapFaultError';
    this.soapVersion = init.soapVersion;
    this.faultCode = init.faultCode;
    this.subcodes = init.subcodes ?? [];
    this.faultString = init.faultString;
    this.actor = init.actor;
    this.detail = init.detail;
    this.httpStatus = init.httpStatus;
    this.envelope = init.envelope;
  }
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object') {
    // <Text xml:lang="en">...</Text> parsed with attributes ignored is a string; be lenient anyway.
    const o = v as Record<string, unknown>;
    if ('#text' in o) return text(o['#text']);
    return '';
  }
  return String(v);
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** Reads a parsed `Fault` element (local names, as `parseXml` gives them). */
export function readFault(
  fault: unknown,
  version: SoapVersion,
): { faultCode: string; faultString: string; subcodes: string[]; actor: string | undefined; detail: unknown } {
  const f = childrenOf(first(fault));
  if (version === '1.1' || 'faultcode' in f || 'faultstring' in f) {
    return {
      faultCode: text(f['faultcode']),
      faultString: text(f['faultstring']),
      subcodes: [],
      actor: f['faultactor'] === undefined ? undefined : text(f['faultactor']),
      detail: f['detail'] === '' ? undefined : f['detail'],
    };
  }
  const code = childrenOf(first(f['Code']));
  const subcodes: string[] = [];
  let sub = childrenOf(first(code['Subcode']));
  for (let i = 0; i < 16 && 'Value' in sub; i++) {
    subcodes.push(text(sub['Value']));
    sub = childrenOf(first(sub['Subcode']));
  }
  const reason = childrenOf(first(f['Reason']));
  return {
    faultCode: text(code['Value']),
    faultString: text(reason['Text']),
    subcodes,
    actor: f['Role'] === undefined ? undefined : text(f['Role']),
    detail: f['Detail'] === '' ? undefined : f['Detail'],
  };
}
