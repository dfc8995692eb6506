/**
 * SOAP faults from an upstream endpoint as typed errors. SOAP 1.1: faultcode, faultstring,
 * faultactor, detail. SOAP 1.2: Code/Value (+ Subcode/Value chain), Reason/Text, Node, Role, Detail.
 * The error class lives in ./errors.ts.
 */
import type { SoapVersion } from '../../service/formats/soap.js';
import { childrenOf } from '../../service/formats/xml.js';

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
