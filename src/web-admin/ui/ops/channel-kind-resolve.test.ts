import { describe, expect, it } from 'vitest';
import { resolveChannelKind } from './channel-kind-resolve';

describe('channel kinds of series lines', () => {
  const byKind = { 'channels.amqp': ['orders'], 'channels.mqtt': ['sensors', 'orders'] };
  it('the series kindId wins; http → channels.http; message channels by name', () => {
    expect(resolveChannelKind({ name: 'x', kind: 'message', kindId: 'channels.zeromq' }, byKind)).toBe(
      'channels.zeromq',
    );
    expect(resolveChannelKind({ name: 'orders', kind: 'http' }, byKind)).toBe('channels.http');
    expect(resolveChannelKind({ name: 'sensors', kind: 'message' }, byKind)).toBe('channels.mqtt');
    expect(resolveChannelKind({ name: 'orders', kind: 'message' }, byKind)).toBe('channels.amqp');
    expect(resolveChannelKind({ name: 'gone', kind: 'message' }, byKind)).toBeUndefined();
  });
});
