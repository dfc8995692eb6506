/**
 * BUG-DEMONSTRATING TEST (see the test report): asserts the correct behaviour and fails until
 * src/cli/enmasse-file.ts is fixed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinKinds } from '../kinds.js';
import { parseEnmasse } from './enmasse-file.js';

beforeAll(() => registerBuiltinKinds());

describe('BUG enmasse file: YAML aliases', () => {
  it('BUG-14: an alias (*name) resolves to the anchored value, not to { source: name }', () => {
    const text = [
      'channels:',
      '  http:',
      '    - name: crm-get',
      '      urlPath: /crm/get',
      '      service: &crm crm.dispatcher',
      '    - name: crm-put',
      '      urlPath: /crm/put',
      '      service: *crm',
      '',
    ].join('\n');
    const items = parseEnmasse(text, 'env.yaml', {});
    // today: { source: 'crm' } — the node is converted without its document, so aliases are not resolved
    expect(items[1]!.data['service']).toBe('crm.dispatcher');
  });
});
