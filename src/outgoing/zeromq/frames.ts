/** Turns what a service sends into ZeroMQ message frames (pure, unit-tested). */

/** One frame, or several (a multipart message). Objects are sent as one JSON frame. */
export type ZeromqMessage = string | Buffer | Uint8Array | Array<string | Buffer | Uint8Array> | object | null;

/** One frame as zeromq.js takes it: a string goes as UTF-8 (encoded natively, no Buffer made here). */
export type Frame = string | Uint8Array;

const isPart = (v: unknown): v is string | Uint8Array => typeof v === 'string' || v instanceof Uint8Array;

/**
 * Strings as UTF-8, bytes as they are; an array of strings/bytes is a multipart message (one frame
 * each); any other value (objects, arrays of other things, numbers, null) is one JSON frame. A topic
 * becomes the first frame (PUB/SUB convention: subscribers filter on it).
 */
export function toFrames(msg: ZeromqMessage, topic?: string): Frame[] {
  let frames: Frame[];
  if (isPart(msg)) frames = [msg];
  else if (Array.isArray(msg) && msg.length > 0 && msg.every(isPart)) frames = msg.slice();
  else {
    const json = JSON.stringify(msg);
    if (json === undefined) throw new TypeError('the message cannot be serialised as JSON');
    frames = [json];
  }
  if (topic !== undefined) frames.unshift(topic);
  return frames;
}

/** A frame's bytes (what a receiver gets): for tests and logs. */
export function frameBytes(f: Frame): Buffer {
  return typeof f === 'string' ? Buffer.from(f, 'utf8') : Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
