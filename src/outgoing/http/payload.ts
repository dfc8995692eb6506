/**
 * Request bodies and answers per data format: json (JSON value), xml (`{ root: {...} }` objects via
 * the shared safe XML parser — DTDs refused), plain (UTF-8 text), raw (bytes, untouched).
 */
import type { Readable } from 'node:stream';
import { WharfError } from '../../errors.js';
import { parseXml, writeElement, XML_DECL } from '../../service/formats/xml.js';

export const OUT_FORMATS = ['json', 'xml', 'plain', 'raw'] as const;
export type OutFormat = (typeof OUT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<OutFormat, string>> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  plain: 'text/plain; charset=utf-8',
  raw: 'application/octet-stream',
};

export type RequestBody = Buffer | string | Uint8Array | Readable;

export function isStream(v: unknown): v is Readable {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Readable).pipe === 'function' &&
    typeof (v as Readable).on === 'function'
  );
}

/** Serialises a payload; returns an error text for a payload the format cannot carry. */
export function encodePayload(format: OutFormat, payload: unknown): RequestBody | { error: string } {
  if (Buffer.isBuffer(payload) || typeof payload === 'string' || payload instanceof Uint8Array || isStream(payload))
    return payload as RequestBody;
  switch (format) {
    case 'json': {
      try {
        const s = JSON.stringify(payload);
        return s === undefined ? { error: `a ${typeof payload} cannot be sent as JSON` } : s;
      } catch (e) {
        return { error: `the payload cannot be sent as JSON: ${(e as Error).message}` };
      }
    }
    case 'xml': {
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
        return {
          error:
            'an XML payload must be an object with one key, the root element (e.g. { order: { id: 1 } }), or an XML string',
        };
      }
      const keys = Object.keys(payload);
      if (keys.length !== 1)
        return {
          error: `an XML payload must have exactly one root element, got ${keys.length} keys (${keys.slice(0, 5).join(', ')})`,
        };
      try {
        return XML_DECL + writeElement(keys[0]!, (payload as Record<string, unknown>)[keys[0]!]);
      } catch (e) {
        return { error: `the payload cannot be sent as XML: ${(e as Error).message}` };
      }
    }
    case 'plain':
      return payload === null || payload === undefined ? '' : String(payload);
    case 'raw':
      return { error: 'a raw connection sends a Buffer, a string or a stream' };
  }
}

/** Parses an answer; throws `{ reason }` when it is not valid in the format. */
export function parseAnswer(format: OutFormat, body: Buffer): unknown {
  switch (format) {
    case 'raw':
      return body;
    case 'plain':
      return body.toString('utf8');
    case 'json': {
      let text = body.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new ParseProblem((e as Error).message);
      }
    }
    case 'xml': {
      const text = body.toString('utf8');
      if (text.trim() === '') return undefined;
      try {
        const { root, value } = parseXml(text, 64, 'XML');
        return { [root]: value };
      } catch (e) {
        if (e instanceof WharfError && e.code === 'WHARF_ERR_DTD_FORBIDDEN')
          throw new ParseProblem('it contains a DTD or entity declaration, which are refused');
        if (e instanceof WharfError && e.code === 'WHARF_ERR_MALFORMED_BODY')
          throw new ParseProblem(e.message.replace(/^Malformed XML body: /, ''));
        throw new ParseProblem(e instanceof Error ? e.message : String(e));
      }
    }
  }
}

export class ParseProblem extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ParseProblem';
  }
}
