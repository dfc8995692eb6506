import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../config/kind.js';
import { describeKinds } from '../../admin/kinds-info.js';
import { schedulerJobKind } from './kind.js';
import { startAtInstant, startAtProblem } from './time.js';

const problems = (input: Record<string, unknown>): string[] => {
  const r = schedulerJobKind.schema.safeParse({ name: 'j', service: 'svc', ...input });
  return r.success ? [] : describeIssues(r.error);
};

describe('scheduler.jobs schema', () => {
  it('accepts each type with its defaults', () => {
    const r = schedulerJobKind.schema.parse({ name: 'j', type: 'cron', cron: '*/5 * * * * *', service: 'svc' });
    expect(r).toMatchObject({ active: true, payload: {}, timezone: 'UTC', missedPolicy: 'run-once', jitterMs: 0 });
    expect(problems({ type: 'interval', every: '1h30m', startAt: '2030-01-01T00:00' })).toEqual([]);
    expect(problems({ type: 'one-time', startAt: '2030-01-01T00:00:00.5+02:00', payload: [1, { a: null }] })).toEqual(
      [],
    );
    expect(problems({ type: 'cron', cron: '@daily', timezone: 'Europe/Oslo' })).toEqual([]);
  });

  it('names the field each type needs', () => {
    expect(problems({ type: 'one-time' })).toEqual(['startAt: required for a one-time job (when it runs)']);
    expect(problems({ type: 'interval' })).toEqual([expect.stringMatching(/^every: required for an interval job/)]);
    expect(problems({ type: 'cron' })).toEqual([expect.stringMatching(/^cron: required for a cron job/)]);
    expect(problems({ type: 'weekly' })).toEqual([expect.stringMatching(/^type: /)]);
  });

  it('validates cron patterns with croner', () => {
    expect(problems({ type: 'cron', cron: '61 * * * * *' })).toEqual([
      expect.stringMatching(/^cron: `61 \* \* \* \* \*` is not a valid cron pattern.*second: 61/),
    ]);
    expect(problems({ type: 'cron', cron: 'every minute' })).toEqual([
      expect.stringMatching(/^cron: .*not a valid cron pattern/),
    ]);
    expect(problems({ type: 'cron', cron: '* * * * * * *' })).toEqual([expect.stringMatching(/^cron: .*5 or 6 parts/)]);
    expect(problems({ type: 'cron', cron: '0 0 30 2 *' })).toEqual(['cron: `0 0 30 2 *` never fires']);
  });

  it('validates time zones, start times, durations and numbers', () => {
    expect(problems({ type: 'cron', cron: '* * * * *', timezone: 'Mars/Olympus' })).toEqual([
      expect.stringMatching(/^timezone: `Mars\/Olympus` is not an IANA time zone/),
    ]);
    expect(problems({ type: 'one-time', startAt: 'tomorrow' })).toEqual([
      expect.stringMatching(/^startAt: `tomorrow` is not an ISO 8601 date-time/),
    ]);
    expect(problems({ type: 'one-time', startAt: '2030-02-30T10:00' })).toEqual([
      'startAt: `2030-02-30T10:00` is not a real date and time',
    ]);
    expect(problems({ type: 'one-time', startAt: '2030-01-01T24:00' })).toEqual([
      'startAt: `2030-01-01T24:00` is not a real date and time',
    ]);
    expect(problems({ type: 'interval', every: '10 minutes' })).toEqual([
      expect.stringMatching(/^every: `10 minutes` is not a duration/),
    ]);
    expect(problems({ type: 'interval', every: '1m', maxRuns: 0, jitterMs: -1 })).toEqual([
      expect.stringMatching(/^maxRuns: /),
      expect.stringMatching(/^jitterMs: /),
    ]);
    expect(problems({ type: 'interval', every: '1m', missedPolicy: 'all' })).toEqual([
      expect.stringMatching(/^missedPolicy: /),
    ]);
    expect(problems({ type: 'interval', every: '1m', payload: 'x'.repeat(1024 * 1024 + 1) })).toEqual([
      'payload: must be at most 1 MiB as JSON',
    ]);
    expect(problems({ type: 'interval', every: '1m', payload: () => 1 })).toEqual([
      expect.stringMatching(/^payload: /),
    ]);
    expect(problems({ type: 'interval', every: '1m', nope: 1 })).toEqual(['nope: unknown field']);
  });

  it('is described field by field for the CLI and docs', () => {
    const [info] = describeKinds([schedulerJobKind]);
    const names = info!.fields.map((f) => f.name);
    expect(names).toEqual([
      'name',
      'active',
      'type',
      'service',
      'payload',
      'startAt',
      'every',
      'cron',
      'timezone',
      'missedPolicy',
      'maxRuns',
      'jitterMs',
      'timeoutMs',
    ]);
    expect(info!.fields.find((f) => f.name === 'type')).toMatchObject({
      required: true,
      values: ['one-time', 'interval', 'cron'],
    });
    expect(info!.fields.every((f) => f.description)).toBe(true);
  });
});

describe('startAt', () => {
  it('reads offsets as instants and bare times in the job time zone', () => {
    expect(startAtInstant('2030-01-01T10:00:00Z', 'Europe/Oslo')).toBe(Date.parse('2030-01-01T10:00:00Z'));
    expect(startAtInstant('2030-01-01T10:00:00+02:00', 'UTC')).toBe(Date.parse('2030-01-01T08:00:00Z'));
    expect(startAtInstant('2030-01-01T10:00', 'Europe/Oslo')).toBe(Date.parse('2030-01-01T09:00:00Z'));
    expect(startAtInstant('2030-07-01T10:00:00.250', 'Europe/Oslo')).toBe(Date.parse('2030-07-01T08:00:00.250Z'));
    expect(startAtInstant('2030-07-01T10:00', 'UTC')).toBe(Date.parse('2030-07-01T10:00:00Z'));
  });

  it('refuses impossible offsets', () => {
    expect(startAtProblem('2030-01-01T10:00+15:00')).toMatch(/impossible UTC offset/);
  });
});
