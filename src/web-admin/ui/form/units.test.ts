import { describe, expect, it } from 'vitest';
import { humanUnit } from './units';

describe('humanUnit', () => {
  it('durations and sizes in human units; small or odd values none', () => {
    expect(humanUnit('timeoutMs', '30000')).toBe('= 30 s');
    expect(humanUnit('timeoutMs', '90000')).toBe('= 1.5 min');
    expect(humanUnit('timeoutMs', '500')).toBeUndefined();
    expect(humanUnit('sessionExpirySeconds', '7200')).toBe('= 2 h');
    expect(humanUnit('maxBodySize', '5242880')).toBe('= 5 MiB');
    expect(humanUnit('maxResponseBytes', '1536')).toBe('= 1.5 KiB');
    expect(humanUnit('timeoutMs', 'abc')).toBeUndefined();
    expect(humanUnit('timeoutMs', '')).toBeUndefined();
    expect(humanUnit('port', '8080')).toBeUndefined();
  });
});
