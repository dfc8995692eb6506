/**
 * Incremental decoder of a `transfer-encoding: chunked` body: `SIZE[;ext]\r\n DATA\r\n ... 0\r\n
 * [trailer lines]\r\n`. Sizes are strict hex (whitespace allowed only before an extension), chunk
 * extensions and trailers are skipped, anything else is an HttpParseError (HPE_*).
 */
import { HttpParseError } from './errors.js';

/** Receives the decoded body, piece by piece; returns false to stop decoding. */
export interface ChunkSink {
  onBodyData(data: Buffer): boolean;
}

const SIZE = 0; // hex digits of a chunk size
const SIZE_WS = 1; // whitespace after the size: only `;` may follow
const EXT = 2; // a chunk extension, up to CR
const SIZE_LF = 3; // LF ending the size line
const DATA = 4; // `left` bytes of data
const DATA_CR = 5; // CR after the data
const DATA_LF = 6; // LF after the data
const TRAILER = 7; // start of a trailer line (CR here: the end)
const TRAILER_LINE = 8; // inside a trailer line, up to CR
const TRAILER_LF = 9; // LF ending a trailer line
const END_LF = 10; // LF of the final empty line
const DONE = 11;

/** Hex digits of a size: 13 of them already exceed any answer this client accepts. */
const MAX_SIZE_DIGITS = 13;
const MAX_TRAILER_BYTES = 64 * 1024;

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export class ChunkedDecoder {
  private state = SIZE;
  private size = 0;
  private digits = 0;
  private left = 0;
  private trailerBytes = 0;

  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Decodes `buf[start..]`, handing data to `sink`. Returns the index just after the body's end once
   * it is complete, or -1 when more bytes are needed (or the sink said stop).
   */
  feed(buf: Buffer, start: number, sink: ChunkSink): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case DATA: {
          const take = Math.min(this.left, n - i);
          this.left -= take;
          const piece = i === 0 && take === n ? buf : buf.subarray(i, i + take);
          i += take;
          if (this.left === 0) this.state = DATA_CR;
          if (!sink.onBodyData(piece)) return -1;
          continue;
        }
        case SIZE: {
          const c = buf[i]!;
          const h = hex(c);
          if (h !== -1) {
            if (++this.digits > MAX_SIZE_DIGITS) throw badSize('chunk size too large');
            this.size = this.size * 16 + h;
          } else if (this.digits === 0) throw badSize('expected a hex chunk size');
          else if (c === 13) this.state = SIZE_LF;
          else if (c === 59) this.state = EXT;
          else if (c === 32 || c === 9) this.state = SIZE_WS;
          else throw badSize('invalid character in chunk size');
          break;
        }
        case SIZE_WS: {
          const c = buf[i]!;
          if (c === 59) this.state = EXT;
          else if (c !== 32 && c !== 9) throw badSize('invalid character after chunk size');
          break;
        }
        case EXT: {
          const c = buf[i]!;
          if (c === 13) this.state = SIZE_LF;
          else if (c === 10 || c === 0)
            throw new HttpParseError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk extension');
          break;
        }
        case SIZE_LF:
          if (buf[i] !== 10) throw badSize('expected LF after the chunk size');
          if (this.size === 0) this.state = TRAILER;
          else {
            this.left = this.size;
            this.state = DATA;
          }
          this.size = 0;
          this.digits = 0;
          break;
        case DATA_CR:
          if (buf[i] !== 13) throw new HttpParseError('HPE_STRICT', 'Expected CRLF after chunk data');
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[i] !== 10) throw new HttpParseError('HPE_STRICT', 'Expected LF after chunk data');
          this.state = SIZE;
          break;
        case TRAILER:
          this.state = buf[i] === 13 ? END_LF : TRAILER_LINE;
          this.trailer();
          break;
        case TRAILER_LINE: {
          const c = buf[i]!;
          if (c === 13) this.state = TRAILER_LF;
          else if (c === 10) throw new HttpParseError('HPE_LF_EXPECTED', 'Bare LF in a trailer');
          this.trailer();
          break;
        }
        case TRAILER_LF:
          if (buf[i] !== 10) throw new HttpParseError('HPE_LF_EXPECTED', 'Expected LF after a trailer');
          this.state = TRAILER;
          break;
        case END_LF:
          if (buf[i] !== 10) throw new HttpParseError('HPE_LF_EXPECTED', 'Expected LF at the end of the chunked body');
          this.state = DONE;
          return i + 1;
        default:
          return i;
      }
      i++;
    }
    return -1;
  }

  private trailer(): void {
    if (++this.trailerBytes > MAX_TRAILER_BYTES) throw new HttpParseError('HPE_HEADER_OVERFLOW', 'Trailers too large');
  }
}

function badSize(msg: string): HttpParseError {
  return new HttpParseError('HPE_INVALID_CHUNK_SIZE', `Invalid chunk size: ${msg}`);
}
