import { describe, expect, it } from 'vitest';
import { addressProblem } from '../../connectors/zeromq/address.js';
import { frameBytes, toFrames, type ZeromqMessage } from './frames.js';
import { zeromqOutgoingKind } from './kind.js';

/** The bytes each frame puts on the wire. */
const wire = (msg: ZeromqMessage, topic?: string): Buffer[] => toFrames(msg, topic).map(frameBytes);

describe('toFrames', () => {
  it('makes one frame of a string or bytes, one per element of an array of them', () => {
    expect(wire('hi')).toEqual([Buffer.from('hi')]);
    expect(wire(Buffer.from([1]))).toEqual([Buffer.from([1])]);
    expect(wire(['a', Buffer.from('b'), new Uint8Array([99])])).toEqual([
      Buffer.from('a'),
      Buffer.from('b'),
      Buffer.from('c'),
    ]);
  });

  it('sends other values, and arrays of other things, as one JSON frame', () => {
    expect(wire({ a: 1 })).toEqual([Buffer.from('{"a":1}')]);
    expect(wire([1, 2])).toEqual([Buffer.from('[1,2]')]);
    expect(wire([])).toEqual([Buffer.from('[]')]);
    expect(wire(null)).toEqual([Buffer.from('null')]);
  });

  it('keeps strings as strings (zeromq.js encodes them as UTF-8) and does not alter the array given', () => {
    const parts = ['a', 'é'];
    expect(toFrames(parts, 't')).toEqual(['t', 'a', 'é']);
    expect(parts).toEqual(['a', 'é']);
    expect(wire('é')).toEqual([Buffer.from([0xc3, 0xa9])]);
  });

  it('puts the topic first', () => {
    expect(wire(['x', 'y'], 'news')).toEqual([Buffer.from('news'), Buffer.from('x'), Buffer.from('y')]);
  });
});

describe('ZeroMQ addresses', () => {
  it.each([
    ['tcp://127.0.0.1:5555', false, undefined],
    ['tcp://host.example:1', false, undefined],
    ['tcp://[::1]:5555', false, undefined],
    ['tcp://*:5555', true, undefined],
    ['ipc:///run/x.sock', false, undefined],
    ['tcp://*:5555', false, /is for binding/],
    ['tcp://h:0', true, /between 1 and 65535/],
    ['tcp://h:99999', true, /between 1 and 65535/],
    ['tcp://h', true, /must look like/],
    ['ipc://', true, /needs a socket path/],
    ['inproc://x', true, /must look like/],
  ])('%s (bind %s)', (a, bind, want) => {
    const p = addressProblem(a, bind);
    if (want === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(want);
  });

  it('checks bind-only addresses and PUSH topics in the kind', () => {
    const cfg = zeromqOutgoingKind.schema.parse({ name: 'o', address: 'tcp://*:5555', topic: 't' });
    expect(zeromqOutgoingKind.check!(cfg, { list: () => [] })).toEqual([
      'address: tcp://*:port is for binding; to connect, name a host',
      'topic: only PUB sockets send a topic frame',
    ]);
  });
});
