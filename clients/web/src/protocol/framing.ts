// Stream framing on the WebTransport bidirectional stream (protocol/SPEC.md §8): each
// reliable message is a frame of a little-endian u32 length followed by the message bytes.

import { MAX_STREAM_FRAME } from "./types";

/** A frame's length prefix exceeds MAX_STREAM_FRAME; the stream cannot be resynchronised. */
export class FrameError extends Error {
  constructor(readonly length: number) {
    super(`frame of ${length} bytes exceeds the limit of ${MAX_STREAM_FRAME}`);
    this.name = "FrameError";
  }
}

/** Prefixes `msg` with its length (u32 little-endian). */
export function frame(msg: Uint8Array): Uint8Array {
  if (msg.length > MAX_STREAM_FRAME) throw new RangeError(`message of ${msg.length} bytes is too large to frame`);
  const out = new Uint8Array(4 + msg.length);
  new DataView(out.buffer).setUint32(0, msg.length, true);
  out.set(msg, 4);
  return out;
}

/** Reassembles frames from stream chunks of any size. */
export class FrameReader {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private failed: FrameError | null = null;

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Adds a chunk and returns the messages it completes, in order. Throws FrameError for an
   * oversized length prefix (before buffering its body) and on every call after that.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    this.append(chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const len = new DataView(this.buf.buffer, this.buf.byteOffset + this.start, 4).getUint32(0, true);
      if (len > MAX_STREAM_FRAME) {
        this.failed = new FrameError(len);
        throw this.failed;
      }
      if (this.buffered < 4 + len) break;
      out.push(this.buf.slice(this.start + 4, this.start + 4 + len));
      this.start += 4 + len;
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return out;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.buffered;
      if (live + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(live + chunk.length, this.buf.length * 2, 256));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
