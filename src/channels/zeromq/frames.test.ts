import { describe, expect, it } from 'vitest';
import { fromFrames } from './frames.js';
import { needsLease, zeromqChannelKind } from './kind.js';

const B = (s: string): Buffer => Buffer.from(s);

describe('fromFrames', () => {
  const pull = { socketType: 'PULL' as const, multipart: 'join' as const, subPrefixes: [] };
  const sub = { socketType: 'SUB' as const, multipart: 'join' as const, subPrefixes: ['temp', 'temp:', 'hum:'] };

  it('PULL: every frame is body, joined', () => {
    expect(fromFrames([B('{"a":1}')], pull)).toEqual({ raw: B('{"a":1}'), frames: 1 });
    expect(fromFrames([B('ab'), B('cd')], pull)).toEqual({ raw: B('abcd'), frames: 2 });
  });

  it('list: body frames become a JSON array of strings', () => {
    expect(fromFrames([B('a'), B('ü')], { ...pull, multipart: 'list' }).raw.toString()).toBe('["a","ü"]');
  });

  it('SUB multipart: the first frame is the topic', () => {
    expect(fromFrames([B('orders.new'), B('x'), B('y')], sub)).toEqual({
      topic: 'orders.new',
      raw: B('xy'),
      frames: 2,
    });
  });

  it('SUB single frame: all body, the topic is the longest matching prefix', () => {
    expect(fromFrames([B('temp:21')], sub)).toEqual({ topic: 'temp:', raw: B('temp:21'), frames: 1 });
    expect(fromFrames([B('other')], sub)).toEqual({ raw: B('other'), frames: 1 });
    expect(fromFrames([B('x')], { ...sub, subPrefixes: [] })).toEqual({ raw: B('x'), frames: 1 });
  });
});

describe('channels.zeromq config', () => {
  it('needs the lease for a bound address or a SUB socket', () => {
    expect(needsLease({ bind: true, socketType: 'PULL' })).toBe(true);
    expect(needsLease({ bind: false, socketType: 'SUB' })).toBe(true);
    expect(needsLease({ bind: false, socketType: 'PULL' })).toBe(false);
  });

  it('checks field combinations', () => {
    const cfg = zeromqChannelKind.schema.parse({
      name: 'c',
      address: 'tcp://*:1',
      bind: false,
      service: 's',
      subPrefixes: ['a'],
      multipart: 'list',
      dataFormat: 'xml',
    });
    expect(zeromqChannelKind.check!(cfg, { list: () => [] })).toEqual([
      'address: tcp://*:port is for binding; to connect, name a host',
      'subPrefixes: only SUB sockets filter by prefix',
      'multipart: list makes a JSON body; use dataFormat json',
    ]);
  });
});
