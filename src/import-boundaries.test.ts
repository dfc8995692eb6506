/**
 * The architecture's import rules, checked on the sources (the ESLint rules say the same; this is the
 * belt to their braces): channels and outgoing kinds do not import each other (shared protocol code
 * lives in src/connectors/<kind>/), the CLI imports neither nor any connector code, and src/odb/
 * imports nothing of Wharf above it. Also: what `src/kinds.ts` loads at import time (its static
 * graph) reaches no driver and no connector runtime module; those come through lazy loaders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

interface Edge {
  /** File that imports, relative to src/ ('channels/http/dispatch.ts'). */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Target relative to src/ for Wharf modules ('outgoing/http/client.ts'); the package name otherwise. */
  to: string;
  internal: boolean;
  /** Kept at run time and loaded with the importer: not `import type`/`export type`, not `import()`. */
  eager: boolean;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || p === join(SRC, 'web-admin', 'ui') ? [] : sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function edgesOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.ES2022,
    true,
    file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const from = relative(SRC, file).replaceAll('\\', '/');
  const out: Edge[] = [];
  const add = (specNode: ts.Node | undefined, eager: boolean): void => {
    if (!specNode || !ts.isStringLiteralLike(specNode)) return;
    const specifier = specNode.text;
    const internal = specifier.startsWith('.');
    const to = internal
      ? relative(SRC, resolve(dirname(file), specifier))
          .replaceAll('\\', '/')
          .replace(/\.js$/, '.ts')
      : packageOf(specifier);
    out.push({
      from,
      specifier,
      to,
      internal,
      eager,
      line: sf.getLineAndCharacterOfPosition(specNode.getStart()).line + 1,
    });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, !node.importClause?.isTypeOnly);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, !node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression, !node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, false);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const FILES = sourceFiles(SRC);
const EDGES = FILES.flatMap(edgesOf);
const show = (e: Edge): string => `${e.from}:${e.line} imports '${e.specifier}'`;
const under = (dir: string) => (p: string) => p.startsWith(`${dir}/`);

/** Connector runtime modules: what a kind's loader imports (not its declaration or shared pure helpers). */
const CONNECTOR_CODE =
  /^(channels|outgoing|connectors)\/.*\/(connector|channel|consumer|client|connection|outgoing|publisher|notifier|job|sender|pool|pooled-client|io-threads|transport)\.ts$/;
const DRIVERS = new Set(['amqplib', 'zeromq', 'rhea', 'mqtt', 'undici']);

describe('import boundaries', () => {
  it('sees the sources (parser sanity)', () => {
    expect(FILES.length).toBeGreaterThan(100);
    const kinds = EDGES.filter((e) => e.from === 'kinds.ts');
    expect(kinds.some((e) => e.to === 'channels/amqp/kind.ts' && e.eager)).toBe(true);
    expect(kinds.some((e) => e.to === 'channels/amqp/connector.ts' && !e.eager)).toBe(true); // the lazy loader
  });

  it('channels import no outgoing code, and outgoing kinds no channel code', () => {
    const bad = EDGES.filter(
      (e) =>
        e.internal &&
        ((under('channels')(e.from) && under('outgoing')(e.to)) ||
          (under('outgoing')(e.from) && under('channels')(e.to))),
    );
    expect(bad.map(show)).toEqual([]);
  });

  it('the CLI imports no channel, outgoing or connector code (declarations come through kinds.ts)', () => {
    const allowed = new Set(['connectors/registry.ts', 'connectors/types.ts']);
    const bad = EDGES.filter(
      (e) =>
        under('cli')(e.from) &&
        ((e.internal &&
          (under('channels')(e.to) || under('outgoing')(e.to) || (under('connectors')(e.to) && !allowed.has(e.to)))) ||
          (!e.internal && DRIVERS.has(e.to))),
    );
    expect(bad.map(show)).toEqual([]);
  });

  it('src/odb imports nothing of Wharf above it (only the error registry)', () => {
    const bad = EDGES.filter((e) => under('odb')(e.from) && e.internal && !under('odb')(e.to) && e.to !== 'errors.ts');
    expect(bad.map(show)).toEqual([]);
  });

  it('what kinds.ts loads when imported reaches no driver and no connector runtime module', () => {
    const byFile = new Map<string, Edge[]>();
    for (const e of EDGES) byFile.set(e.from, [...(byFile.get(e.from) ?? []), e]);
    const seen = new Map<string, string>(); // module -> who imported it first (for the message)
    const bad: string[] = [];
    const queue = ['kinds.ts'];
    seen.set('kinds.ts', '');
    while (queue.length) {
      const f = queue.shift()!;
      for (const e of byFile.get(f) ?? []) {
        if (!e.eager) continue;
        if (!e.internal) {
          if (DRIVERS.has(e.to)) bad.push(`${show(e)} (driver; reached via ${chain(seen, f)})`);
          continue;
        }
        if (CONNECTOR_CODE.test(e.to)) bad.push(`${show(e)} (connector code; reached via ${chain(seen, f)})`);
        if (!seen.has(e.to)) {
          seen.set(e.to, f);
          queue.push(e.to);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(20);
    expect(bad).toEqual([]);
  });
});

function chain(seen: Map<string, string>, f: string): string {
  const path: string[] = [];
  for (let at: string | undefined = f; at; at = seen.get(at)) path.unshift(at);
  return path.join(' → ');
}
