/** Turns what a service sends into ZeroMQ message frames (pure, unit-tested). */

/** One frame, or several (a multipart message). Objects are sent as one JSON frame. */
export type ZeromqMessage = string | Buffer | Uint8Array | Array<string | Buffer | Uint8Array> | object | null;

function frame(part: string | Buffer | Uint8Array): Buffer {
  if (typeof part === 'string') return Buffer.from(part, 'utf8');
  if (Buffer.isBuffer(part)) return part;
  return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
}

const isPart = (v: unknown): v is string | Buffer | Uint8Array => typeof v === 'string' || v instanceof Uint8Array;

/**
 * Strings as UTF-8, bytes as they are; an array of strings/bytes is a multipart message (one frame
 * each); any other value (objects, arrays of other things, numbers, null) is one JSON frame. A topic
 * becomes the first frame (PUB/SUB convention: subscribers filter on it).
 */
export function toFrames(msg: ZeromqMessage, topic?: string): Buffer[] {
  let frames: Buffer[];
  if (isPart(msg)) frames = [frame(msg)];
  else if (Array.isArray(msg) && msg.length > 0 && msg.every(isPart)) frames = msg.map(frame);
  else {
    const json = JSON.stringify(msg);
    if (json === undefined) throw new TypeError('the message cannot be serialised as JSON');
    frames = [Buffer.from(json, 'utf8')];
  }
  return topic === undefined ? frames : [Buffer.from(topic, 'utf8'), ...frames];
}
