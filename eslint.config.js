// ESLint flat config (ESLint 9 + typescript-eslint). `npm run lint` runs it with --max-warnings 0.
// Rule choices and the architecture rules are explained in docs/development.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

/** Import boundaries: a `no-restricted-imports` pattern group and its message. */
const boundary = (group, message) => ({ group, message });

const CHANNELS = '**/channels/**';
const OUTGOING = '**/outgoing/**';
const CONNECTORS = '**/connectors/**';
/** Every module under connectors/, file by file (a directory pattern could not let declarations back in). */
const CONNECTOR_FILES = '**/connectors/**/*.js';
/** Connector modules that hold declarations only (no driver, no connector runtime). */
const DECLARATIONS = [
  '!**/connectors/types.js',
  '!**/connectors/registry.js',
  '!**/connectors/*/definition.js',
  '!**/connectors/*/types.js',
  '!**/connectors/*/kind.js',
];

/** The same boundaries for `import('...')` (no-restricted-imports sees only static imports and re-exports). */
const dynamicImport = (dirs, message) => ({
  // \u002F is '/': esquery's regex literal syntax cannot hold an escaped slash.
  selector: `ImportExpression > Literal[value=/(^|\\u002F)(${dirs.join('|')})\\u002F/]`,
  message,
});

/** no-restricted-imports + no-restricted-syntax for one directory's boundaries. */
function boundaries(files, patterns, dynamic) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns }],
      ...(dynamic ? { 'no-restricted-syntax': ['error', dynamic] } : {}),
    },
  };
}

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', 'dist/**', 'env/**', 'bench/results/**', 'bench/.peers/**', '.test-results/**'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // A value import used only as a type keeps a module loaded at run time (verbatimModuleSyntax).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // `a && b()` and `c ? d() : e()` as statements are idiomatic here; bare expressions and comma
      // sequences are not.
      '@typescript-eslint/no-unused-expressions': [
        'error',
        { allowShortCircuit: true, allowTernary: true, allowTaggedTemplates: true },
      ],
      // `const self = this` for getters in object literals that hand out a narrow handle.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      // Protocol code (HTTP heads, Swift metadata) matches control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // The web admin UI runs in the browser (Preact + htm).
    files: ['src/web-admin/ui/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Type tests declare values only to check their inferred types.
    files: ['test/types/**'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // Tests, benches and scripts may use `any` where a fixture pokes at internals.
    files: ['**/*.test.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // ---- Architecture: who may import whom (docs/development.md) ----
  boundaries(
    ['src/channels/**'],
    [boundary([OUTGOING], 'Channels must not import outgoing code: share it through src/connectors/<kind>/.')],
    dynamicImport(['outgoing'], 'Channels must not import outgoing code.'),
  ),
  boundaries(
    ['src/outgoing/**'],
    [
      boundary(
        [CHANNELS],
        'Outgoing connections must not import channel code: share it through src/connectors/<kind>/.',
      ),
    ],
    dynamicImport(['channels'], 'Outgoing connections must not import channel code.'),
  ),
  boundaries(
    ['src/cli/**'],
    [
      boundary(
        [CHANNELS, OUTGOING],
        'The CLI must not import channel or outgoing code (it loads kind declarations only, via src/kinds.ts).',
      ),
      boundary(
        [CONNECTOR_FILES, ...DECLARATIONS],
        'The CLI must not import connector code (drivers): only declarations (connectors/types.js, registry.js, */definition.js).',
      ),
    ],
    dynamicImport(
      ['channels', 'outgoing', 'connectors'],
      'The CLI must not import channel, outgoing or connector code.',
    ),
  ),
  boundaries(
    ['src/web-admin/**'],
    [
      boundary(
        [CHANNELS, OUTGOING, CONNECTORS],
        'The web admin must not import channel, outgoing or connector code (it talks to the admin API).',
      ),
    ],
    dynamicImport(
      ['channels', 'outgoing', 'connectors'],
      'The web admin must not import channel, outgoing or connector code.',
    ),
  ),
  boundaries(
    ['src/odb/*'],
    [boundary(['../*', '../**'], 'src/odb/ is the bottom layer: it imports nothing of Wharf outside src/odb/.')],
  ),
  boundaries(
    ['src/odb/*/**'],
    [boundary(['../../*', '../../**'], 'src/odb/ is the bottom layer: it imports nothing of Wharf outside src/odb/.')],
  ),
  prettier,
);
