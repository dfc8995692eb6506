/**
 * Precompiled coercers: one closure tree per declaration, built once at deploy time.
 * `lenientStrings` is true for sources where every leaf is text (query string, path, form, XML):
 * "42" becomes 42 for an int. JSON bodies are also lenient about numeric strings, as integration
 * partners rarely agree on quoting.
 */
import { WharfError } from '../../errors.js';
import type { AnyElement, ElementSpec, Shape } from './elements.js';

export type Coercer = (value: unknown, path: string) => unknown;

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_RE = /^[+-]?(\d+)(\.\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True when y-m-d is a real calendar date. */
function realDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** A number as a plain decimal string, never in exponent notation (1e-7 → "0.0000001"). */
export function plainDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = int! + frac;
  const point = int!.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + out;
}

/** Parses an ISO 8601 datetime, refusing impossible dates and times; no zone means UTC. */
export function parseDatetime(text: string): Date | undefined {
  const s = text.trim();
  const m = DATETIME_RE.exec(s);
  if (!m) return undefined;
  if (!realDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[7] !== undefined && Number(m[7]) > 59)) return undefined;
  const withZone = m[9] ? s : `${s}Z`;
  const d = new Date(withZone.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const TRUE = new Set(['true', '1', 'yes', 'on', 'y', 't']);
const FALSE = new Set(['false', '0', 'no', 'off', 'n', 'f']);

export function invalid(path: string, expected: string): WharfError {
  return new WharfError('WHARF_ERR_INVALID_ELEMENT', [path, expected], { details: { element: path, expected } });
}

export function missing(path: string): WharfError {
  return new WharfError('WHARF_ERR_MISSING_ELEMENT', [path], { details: { element: path } });
}

function scalar(kind: ElementSpec['kind']): Coercer {
  switch (kind) {
    case 'text':
      return (v, p) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
        throw invalid(p, 'text');
      };
    case 'int':
      return (v, p) => {
        if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
        if (typeof v === 'string' && INT_RE.test(v.trim())) {
          const n = Number(v.trim());
          if (Number.isSafeInteger(n)) return n;
        }
        throw invalid(p, 'int');
      };
    case 'float':
      return (v, p) => {
        if (typeof v === 'number' && Number.isFinite(v)) return v;
        if (typeof v === 'string' && FLOAT_RE.test(v.trim())) return Number(v.trim());
        throw invalid(p, 'float');
      };
    case 'decimal':
      return (v, p) => {
        if (typeof v === 'number' && Number.isFinite(v)) return plainDecimal(v);
        if (typeof v === 'string') {
          const s = v.trim();
          if (DECIMAL_RE.test(s)) return s.startsWith('+') ? s.slice(1) : s;
        }
        throw invalid(p, 'decimal (e.g. 12.30)');
      };
    case 'bool':
      return (v, p) => {
        if (typeof v === 'boolean') return v;
        if (v === 1 || v === 0) return v === 1;
        if (typeof v === 'string') {
          const s = v.trim().toLowerCase();
          if (TRUE.has(s)) return true;
          if (FALSE.has(s)) return false;
        }
        throw invalid(p, 'bool');
      };
    case 'date':
      return (v, p) => {
        if (typeof v === 'string') {
          const m = DATE_RE.exec(v.trim());
          if (m && realDate(Number(m[1]), Number(m[2]), Number(m[3]))) return m[0];
        }
        throw invalid(p, 'date (YYYY-MM-DD)');
      };
    case 'datetime':
      return (v, p) => {
        if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
        if (typeof v === 'string') {
          const d = parseDatetime(v);
          if (d) return d;
        }
        throw invalid(p, 'datetime (ISO 8601)');
      };
    case 'uuid':
      return (v, p) => {
        if (typeof v === 'string' && UUID_RE.test(v.trim())) return v.trim().toLowerCase();
        throw invalid(p, 'uuid');
      };
    case 'opaque':
      return (v) => v;
    default:
      throw new Error(`not a scalar: ${kind}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

/** Fills in a missing element: its default, undefined when optional, an error when required. */
export function absentValue(el: AnyElement, path: string): unknown {
  if (el.hasDefault) {
    const d: unknown = el.defaultValue;
    return typeof d === 'function' ? (d as () => unknown)() : structuredClone(d);
  }
  if (el.isRequired) throw missing(path);
  return undefined;
}

export function compileElement(el: AnyElement): Coercer {
  const spec = el.spec;
  if (spec.kind === 'list') {
    const item = compileElement(spec.of);
    return (v, p) => {
      const arr = Array.isArray(v) ? v : [v];
      const out = new Array<unknown>(arr.length);
      for (let i = 0; i < arr.length; i++) {
        const x = arr[i];
        if (x === null || x === undefined) throw invalid(`${p}[${i}]`, 'a value, not null');
        out[i] = item(x, `${p}[${i}]`);
      }
      return out;
    };
  }
  if (spec.kind === 'object') {
    const shapeCoercer = compileShape(spec.shape);
    return (v, p) => {
      if (!isPlainObject(v)) throw invalid(p, 'an object');
      return shapeCoercer(v, `${p}.`);
    };
  }
  return scalar(spec.kind);
}

export type ShapeCoercer = (src: Record<string, unknown>, prefix: string) => Record<string, unknown>;

export function compileShape(shape: Shape): ShapeCoercer {
  const fields = Object.keys(shape).map((key) => ({ key, el: shape[key]!, coerce: compileElement(shape[key]!) }));
  return (src, prefix) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = src[f.key];
      const path = prefix + f.key;
      if (v === undefined || v === null) {
        const a = absentValue(f.el, path);
        if (a !== undefined) out[f.key] = a;
      } else {
        out[f.key] = f.coerce(v, path);
      }
    }
    return out;
  };
}
