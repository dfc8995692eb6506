/**
 * BUG-DEMONSTRATING TEST (see the test report): asserts the correct behaviour and fails until
 * describeIssues in src/config/kind.ts is fixed.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues } from './kind.js';

describe('BUG describeIssues', () => {
  it('BUG-16: an unknown field inside a nested object is named with its full path', () => {
    const schema = z.strictObject({ name: z.string(), tls: z.strictObject({ verify: z.boolean() }).optional() });
    const r = schema.safeParse({ name: 'x', tls: { verify: true, verfiy: false } });
    expect(r.success).toBe(false);
    // today: "verfiy: unknown field" — the user cannot tell where `verfiy` is
    expect(describeIssues(r.error!)).toEqual(['tls.verfiy: unknown field']);
  });
});
