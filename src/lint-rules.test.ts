/**
 * The architecture rules of eslint.config.js fire: small in-memory modules, linted as if they lived at
 * a given path, break (or keep) an import boundary. See docs/development.md.
 */
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: fileURLToPath(new URL('../eslint.config.js', import.meta.url)),
    // The snippets are not files of a TS project: lint them without type information.
    overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config,
  });
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`no lint result for ${filePath}`);
  return result.messages;
}

/** The boundary errors a module at `filePath` gets for importing `specifier` (a static import, used). */
async function boundaryErrors(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const messages = await lint(filePath, code);
  return messages.filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId));
}

const uses = (specifier: string): string => `import { thing } from '${specifier}';\nexport const used = thing;\n`;

async function expectBreach(filePath: string, code: string, message: RegExp): Promise<void> {
  const errors = await boundaryErrors(filePath, code);
  expect(errors, `${filePath}: ${code}`).toHaveLength(1);
  expect(errors[0]?.severity).toBe(2);
  expect(errors[0]?.message).toMatch(message);
}

async function expectClean(filePath: string, code: string): Promise<void> {
  const messages = await lint(filePath, code);
  expect(messages, `${filePath}: ${code}`).toEqual([]);
}

describe('architecture rules (eslint.config.js)', () => {
  it('channels must not import outgoing code: import, import type, re-export, import()', async () => {
    const msg = /Channels must not import outgoing code/;
    await expectBreach('src/channels/http/dispatch.ts', uses('../../outgoing/http/client.js'), msg);
    await expectBreach('src/channels/http/front/deep.ts', uses('../../../outgoing/swift/client.js'), msg);
    await expectBreach(
      'src/channels/zeromq/kind.ts',
      `import type { Address } from '../../outgoing/zeromq/address.js';\nexport type A = Address;\n`,
      msg,
    );
    await expectBreach(
      'src/channels/zeromq/index.ts',
      `export { parse } from '../../outgoing/zeromq/address.js';\n`,
      msg,
    );
    await expectBreach('src/channels/zeromq/index.ts', `export * from '../../outgoing/zeromq/address.js';\n`, msg);
    await expectBreach(
      'src/channels/mqtt/channel.ts',
      `export const load = () => import('../../outgoing/mqtt/outgoing.js');\n`,
      msg,
    );
  });

  it('channels may import connectors, config, service and their own code', async () => {
    await expectClean('src/channels/zeromq/kind.ts', uses('../../connectors/zeromq/address.js'));
    await expectClean('src/channels/http/dispatch.ts', uses('../../connectors/types.js'));
    await expectClean('src/channels/http/front/x.ts', uses('../router.js'));
    await expectClean(
      'src/channels/mqtt/channel.ts',
      `export const load = () => import('../../connectors/mqtt/index.js');\n`,
    );
  });

  it('outgoing code must not import channel code', async () => {
    const msg = /Outgoing connections must not import channel code/;
    await expectBreach('src/outgoing/http/client.ts', uses('../../channels/http/router.js'), msg);
    await expectBreach('src/outgoing/http/raw/head.ts', uses('../../../channels/http/front/request-head.js'), msg);
    await expectBreach(
      'src/outgoing/swift/x.ts',
      `export const load = () => import('../../channels/swift-notifier/notifier.js');\n`,
      msg,
    );
    await expectClean('src/outgoing/swift/x.ts', uses('../../connectors/swift/client.js'));
  });

  it('the CLI imports no channel, outgoing or connector code, only declarations', async () => {
    const code = /The CLI must not import channel or outgoing code/;
    const connector = /The CLI must not import connector code/;
    await expectBreach('src/cli/commands/channel.ts', uses('../../channels/http/kind.js'), code);
    await expectBreach('src/cli/main.ts', uses('../outgoing/http/client.js'), code);
    await expectBreach('src/cli/commands/x.ts', uses('../../connectors/amqp/connection.js'), connector);
    await expectBreach('src/cli/commands/x.ts', uses('../../connectors/amqp/index.js'), connector);
    await expectBreach('src/cli/commands/x.ts', uses('../../connectors/manager.js'), connector);
    await expectBreach(
      'src/cli/x.ts',
      `export const load = () => import('../connectors/zeromq/io-threads.js');\n`,
      /The CLI must not import/,
    );
    await expectClean('src/cli/commands/x.ts', uses('../../connectors/amqp/definition.js'));
    await expectClean('src/cli/commands/x.ts', uses('../../connectors/types.js'));
    await expectClean('src/cli/commands/x.ts', uses('../../connectors/registry.js'));
    await expectClean('src/cli/commands/x.ts', uses('../../config/registry.js'));
    await expectClean('src/cli/kinds.ts', uses('../kinds.js'));
  });

  it('the web admin (server and UI) imports no channel, outgoing or connector code', async () => {
    const msg = /The web admin must not import/;
    await expectBreach('src/web-admin/server/app.ts', uses('../../connectors/registry.js'), msg);
    await expectBreach('src/web-admin/server/app.ts', uses('../../channels/http/kind.js'), msg);
    await expectBreach('src/web-admin/ui/pages/x.ts', uses('../../../outgoing/http/kind.js'), msg);
    await expectClean('src/web-admin/ui/pages/x.ts', uses('../../../admin/api-types.js'));
    await expectClean('src/web-admin/server/app.ts', uses('../../admin/http.js'));
  });

  it('src/odb/ imports nothing of Wharf outside src/odb/', async () => {
    const msg = /src\/odb\/ is the bottom layer/;
    await expectBreach('src/odb/odb.ts', uses('../errors.js'), msg);
    await expectBreach('src/odb/odb.ts', uses('../config/kind.js'), msg);
    await expectBreach('src/odb/migrations/004-x.ts', uses('../../service/service.js'), msg);
    await expectClean('src/odb/odb.ts', uses('./dialect.js'));
    await expectClean('src/odb/odb.ts', uses('kysely'));
    await expectClean('src/odb/migrations/004-x.ts', uses('../dialect.js'));
    await expectClean('src/odb/migrations/004-x.ts', uses('./001-initial.js'));
  });

  it('other code may import across these directories (the server wires them together)', async () => {
    await expectClean(
      'src/server/x.ts',
      `import { a } from '../channels/http/router.js';\nimport { b } from '../outgoing/http/client.js';\nexport const c = [a, b];\n`,
    );
    await expectClean('src/kinds.ts', `export const load = () => import('./outgoing/http/index.js');\n`);
  });

  it('the tree keeps these boundaries today', { timeout: 300_000 }, async () => {
    const results = await eslint.lintFiles(['src/channels', 'src/outgoing', 'src/cli', 'src/web-admin', 'src/odb']);
    expect(results.length).toBeGreaterThan(100);
    const breaches = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId !== null && BOUNDARY_RULES.has(m.ruleId))
        .map((m) => `${r.filePath.slice(root.length)}:${m.line}: ${m.message}`),
    );
    expect(breaches).toEqual([]);
  });

  it('the general rules are on: eqeqeq, no-unused-vars, no-explicit-any in src/', async () => {
    const ids = (messages: Linter.LintMessage[]) => messages.map((m) => m.ruleId);
    expect(ids(await lint('src/x.ts', 'export const f = (a: number) => a == 1;\n'))).toEqual(['eqeqeq']);
    expect(ids(await lint('src/x.ts', 'export const f = (a: unknown) => a == null;\n'))).toEqual([]);
    expect(ids(await lint('src/x.ts', 'const unused = 1;\nexport {};\n'))).toEqual([
      '@typescript-eslint/no-unused-vars',
    ]);
    expect(ids(await lint('src/x.ts', 'export const f = (a: any) => a;\n'))).toEqual([
      '@typescript-eslint/no-explicit-any',
    ]);
  });
});
