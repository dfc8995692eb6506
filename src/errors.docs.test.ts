import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorRegistry } from './errors.js';

describe('docs/errors.md', () => {
  it('lists every code of the registry with its status (regenerate: node scripts/gen-errors-doc.mjs)', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, spec] of Object.entries(errorRegistry)) expect(doc).toContain(`| \`${code}\` | ${spec.status} |`);
  });
});
