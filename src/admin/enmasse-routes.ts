/**
 * enmasse in the admin API: export (JSON objects, or `?format=yaml` → the same YAML the CLI
 * writes) and import (`{ objects }` as the CLI sends, or `{ yaml }`), all or nothing, with a dry run
 * that returns the plan (per object: create / edit with a field diff / unchanged) and changes nothing.
 */
import { WharfError } from '../errors.js';
import type { AdminContext, On } from './http.js';
import { DryRunRollback, exportObjects, importObjects, type ImportItem } from './enmasse-ops.js';
import { serviceWarnings, warningsField } from './missing-services.js';
import { EnmasseYamlError, exportHeader, parseEnmasseYaml, renderEnmasseYaml } from './enmasse-yaml.js';

const USAGE = 'import takes { objects: [{ kind, data, line? }] } or { yaml: "..." }, with replace? and dryRun?';

function itemsOf(b: Record<string, unknown>): ImportItem[] {
  if (typeof b['yaml'] === 'string') {
    if (b['objects'] !== undefined) throw new WharfError('WHARF_ERR_BAD_REQUEST', [`${USAGE}, not both`]);
    try {
      // The server's environment is not the client's: placeholders are not filled in from it.
      return parseEnmasseYaml(b['yaml'], {});
    } catch (e) {
      if (!(e instanceof EnmasseYamlError)) throw e;
      const problems = e.problems.map((p) => ({
        kind: '',
        name: '',
        ...(p.line === undefined ? {} : { line: p.line }),
        message: p.message,
      }));
      throw new WharfError(
        'WHARF_ERR_CONFIG_INVALID',
        [
          `enmasse import refused, nothing was changed:\n${e.message
            .split('\n')
            .map((l) => `line ${l}`)
            .join('\n')}`,
        ],
        { details: { problems } },
      );
    }
  }
  const objects = b['objects'];
  if (!Array.isArray(objects)) throw new WharfError('WHARF_ERR_BAD_REQUEST', [USAGE]);
  objects.forEach((o: unknown, i) => {
    const it = o as Partial<ImportItem> | null;
    if (
      typeof it !== 'object' ||
      it === null ||
      typeof it.kind !== 'string' ||
      typeof it.data !== 'object' ||
      it.data === null ||
      Array.isArray(it.data) ||
      (it.line !== undefined && typeof it.line !== 'number')
    ) {
      throw new WharfError('WHARF_ERR_BAD_REQUEST', [
        `objects.${i}: each object is { kind: string, data: object, line?: number }`,
      ]);
    }
  });
  return objects as ImportItem[];
}

export function register(on: On, ctx: AdminContext): void {
  const { rt, odb } = ctx;

  on('GET', '/wharf/admin/enmasse/export', async ({ query }) => {
    const format = query['format'] ?? 'json';
    if (format !== 'json' && format !== 'yaml') throw new WharfError('WHARF_ERR_BAD_REQUEST', ['format: json or yaml']);
    const version = await odb.version();
    const objects = await exportObjects(odb, rt.box);
    if (format === 'yaml') return { version, yaml: renderEnmasseYaml(objects, exportHeader(await odb.clusterName())) };
    return { version, objects };
  });

  on('POST', '/wharf/admin/enmasse/import', async ({ body, user }) => {
    const b = await body();
    const items = itemsOf(b);
    const replace = b['replace'] === true;
    // Objects naming a service that is not deployed are accepted, with a warning each (deploy order is free).
    const warnings = async () =>
      warningsField(
        await serviceWarnings(
          odb,
          items.map((it) => ({
            kind: it.kind,
            name: String(it.data['name'] ?? ''),
            data: it.data,
            ...(it.line === undefined ? {} : { line: it.line }),
          })),
        ),
      );
    if (b['dryRun'] === true) {
      try {
        await odb.write(async (w) => {
          throw new DryRunRollback(await importObjects(w, items, { replace }, rt.box));
        });
      } catch (e) {
        if (e instanceof DryRunRollback) return { dryRun: true, plan: e.plan, ...(await warnings()) };
        throw e;
      }
    }
    const { result, version } = await ctx.write((w) => importObjects(w, items, { replace }, rt.box), user);
    return { dryRun: false, plan: result, version, ...(await warnings()) };
  });
}
