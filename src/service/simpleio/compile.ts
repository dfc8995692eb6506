/**
 * Turns a declaration into an input parser (query + path params + body, by channel priorities)
 * and an output normaliser (declared keys only, Dates as ISO strings, required ones present).
 */
import { WharfError } from '../../errors.js';
import { absentValue, compileElement, compileShape, parseDatetime, type Coercer } from './coerce.js';
import { Element, type AnyElement, type Shape } from './elements.js';

export type ParamPriority = 'query' | 'path';

export interface InputSources {
  /** Query string values; a repeated key gives an array. */
  query?: Record<string, string | string[]> | undefined;
  /** URL path params (`/customer/{id}`). */
  path?: Record<string, string> | undefined;
  /** The parsed body: a JSON value, or the request element's children from XML/SOAP, or form fields. */
  body?: unknown;
}

export interface InputPriorities {
  /** Which of query string and path params wins when both carry an element (default: query). */
  params?: ParamPriority;
  /** Whether params win over the body (default: true). */
  paramsOverBody?: boolean;
}

export type InputParser = (src: InputSources, prio?: InputPriorities) => Record<string, unknown>;

export function compileInput(shape: Shape | undefined): InputParser {
  if (!shape || Object.keys(shape).length === 0) return () => ({});
  const fields = Object.keys(shape).map((key) => ({ key, el: shape[key]!, coerce: compileElement(shape[key]!) }));
  return (src, prio) => {
    const queryFirst = (prio?.params ?? 'query') === 'query';
    const paramsFirst = prio?.paramsOverBody ?? true;
    const body = src.body;
    const bodyObj =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const q = src.query?.[f.key];
      const p = src.path?.[f.key];
      const param = queryFirst ? (q ?? p) : (p ?? q);
      const b = bodyObj?.[f.key];
      let v: unknown = paramsFirst ? (param ?? b) : (b ?? param);
      if (v === null) v = undefined;
      if (v === undefined) {
        const a = absentValue(f.el, f.key);
        if (a !== undefined) out[f.key] = a;
      } else {
        out[f.key] = f.coerce(v, f.key);
      }
    }
    return out;
  };
}

export type OutputDeclaration = Shape | AnyElement;

export type OutputNormaliser = (value: unknown) => unknown;

function isElement(d: OutputDeclaration): d is AnyElement {
  return d instanceof Element;
}

/** Output values are re-checked so a service can never send what it did not declare. */
function outputCoercer(el: AnyElement): Coercer {
  const spec = el.spec;
  if (spec.kind === 'list') {
    const item = outputCoercer(spec.of);
    return (v, p) => {
      if (!Array.isArray(v)) throw new Error(`\`${p}\` must be a list`);
      return v.map((x, i) => item(x, `${p}[${i}]`));
    };
  }
  if (spec.kind === 'object') {
    const inner = outputShape(spec.shape);
    return (v, p) => inner(v, `${p}.`);
  }
  if (spec.kind === 'datetime') {
    return (v, p) => {
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString();
      const d = typeof v === 'string' ? parseDatetime(v) : undefined;
      if (d) return d.toISOString();
      throw new Error(`\`${p}\` must be a Date or an ISO 8601 datetime`);
    };
  }
  const c = compileElement(el);
  return (v, p) => {
    try {
      return c(v, p);
    } catch (e) {
      throw new Error(e instanceof Error ? e.message : String(e));
    }
  };
}

function outputShape(shape: Shape): Coercer {
  const fields = Object.keys(shape).map((key) => ({ key, el: shape[key]!, coerce: outputCoercer(shape[key]!) }));
  return (v, prefix) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new Error(`\`${prefix ? prefix.slice(0, -1) : 'output'}\` must be an object`);
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const x = src[f.key];
      if (x === undefined || x === null) {
        if (f.el.hasDefault) {
          const d: unknown = f.el.defaultValue;
          out[f.key] = f.coerce(typeof d === 'function' ? (d as () => unknown)() : d, prefix + f.key);
        } else if (f.el.isRequired) {
          throw new Error(`required element \`${prefix}${f.key}\` is missing`);
        } else if (x === null) {
          out[f.key] = null;
        }
      } else {
        out[f.key] = f.coerce(x, prefix + f.key);
      }
    }
    return out;
  };
}

export function compileOutput(decl: OutputDeclaration | undefined, serviceName: string): OutputNormaliser | undefined {
  if (!decl) return undefined;
  const c = isElement(decl) ? outputCoercer(decl) : outputShape(decl);
  return (value) => {
    try {
      return c(value, '');
    } catch (e) {
      throw new WharfError('WHARF_ERR_OUTPUT_INVALID', [serviceName, e instanceof Error ? e.message : String(e)]);
    }
  };
}

export { compileShape };
