/**
 * Second opinion on generated OpenAPI documents: @readme/openapi-parser checks the document's
 * structure, but OpenAPI 3.1 leaves schemas free-form, so every schema is also compiled by Ajv
 * (JSON Schema 2020-12, strict mode: an unknown keyword or type is an error; Ajv comes with
 * @readme/openapi-parser) and real payloads are checked against them.
 */
import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument } from '../../../src/service/contracts/openapi.js';

type Schema = Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function newAjv(doc: OpenApiDocument): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword('xml');
  // #/components/schemas/X references: each component schema is registered under urn:schema:X.
  const schemas = ((doc['components'] as { schemas?: Record<string, Schema> } | undefined)?.schemas ?? {}) as Record<
    string,
    Schema
  >;
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(rebase(schema) as Schema, `urn:schema:${name}`);
  return ajv;
}

function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema))
      out[k] =
        k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
          ? `urn:schema:${v.slice(21)}`
          : rebase(v);
    return out;
  }
  return schema;
}

/** Every `schema` object of the document's operations (parameters, bodies, responses). */
export function schemasOf(doc: OpenApiDocument): Array<{ where: string; schema: Schema }> {
  const out: Array<{ where: string; schema: Schema }> = [];
  const walk = (v: unknown, where: string): void => {
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'schema' && x && typeof x === 'object') out.push({ where, schema: x as Schema });
      else walk(x, `${where}/${k}`);
    }
  };
  walk(doc['paths'], '#/paths');
  return out;
}

/** Structure by the OpenAPI validator, every schema by Ajv; throws with all the problems found. */
export async function checkOpenApi(doc: OpenApiDocument): Promise<number> {
  const res = await validate(structuredClone(doc) as never);
  if (!res.valid) throw new Error(`@readme/openapi-parser: ${compileErrors(res)}`);
  const ajv = newAjv(doc);
  const problems: string[] = [];
  const all = schemasOf(doc);
  for (const { where, schema } of all) {
    try {
      ajv.compile(rebase(schema) as Schema);
    } catch (e) {
      problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (problems.length > 0) throw new Error(`Ajv 2020-12:\n${problems.join('\n')}`);
  return all.length;
}

/** Checks `value` against the schema at `pointer` (e.g. paths → /shop/order → post → responses → 200 → content → application/json). */
export function checkValue(doc: OpenApiDocument, keys: readonly string[], value: unknown): string[] {
  let node: unknown = doc['paths'];
  for (const k of keys) node = (node as Record<string, unknown> | undefined)?.[k];
  if (!node || typeof node !== 'object') throw new Error(`no schema at paths/${keys.join('/')}`);
  const ajv = newAjv(doc);
  const v = ajv.compile(rebase(node) as Schema);
  return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
