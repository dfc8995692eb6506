/** Turns received ZeroMQ frames into what a service sees (pure, unit-tested). */
import type { ZeromqChannelConfig } from './kind.js';

export interface ReceivedMessage {
  /** SUB: the topic (first frame of a multipart message, else the matching prefix). */
  topic?: string;
  /** The body handed to the data format's codec. */
  raw: Buffer;
  /** Number of body frames. */
  frames: number;
}

/**
 * PULL: every frame is body. SUB: a multipart message's first frame is the topic and the rest is
 * body; a single-frame message is all body, its topic the longest configured prefix it starts with.
 * Body frames are joined (concatenated) or, with `multipart: list`, made a JSON array of UTF-8 strings.
 */
export function fromFrames(
  frames: readonly Buffer[],
  cfg: Pick<ZeromqChannelConfig, 'socketType' | 'multipart' | 'subPrefixes'>,
): ReceivedMessage {
  let topic: string | undefined;
  let body = frames;
  if (cfg.socketType === 'SUB') {
    if (frames.length >= 2) {
      topic = (frames[0] as Buffer).toString('utf8');
      body = frames.slice(1);
    } else {
      const first = frames[0] ?? Buffer.alloc(0);
      let best: string | undefined;
      for (const p of cfg.subPrefixes)
        if (
          first.subarray(0, Buffer.byteLength(p)).equals(Buffer.from(p)) &&
          (best === undefined || p.length > best.length)
        )
          best = p;
      topic = best;
    }
  }
  const raw =
    cfg.multipart === 'list'
      ? Buffer.from(JSON.stringify(body.map((f) => f.toString('utf8'))), 'utf8')
      : body.length === 1
        ? (body[0] as Buffer)
        : Buffer.concat(body);
  return topic === undefined ? { raw, frames: body.length } : { topic, raw, frames: body.length };
}
