// Stream framing: u32 little-endian length + message, reassembled from arbitrary chunks.
import { describe, expect, it } from "vitest";
import { FrameError, FrameReader, MAX_STREAM_FRAME, encodeClientMsg, frame } from "../src/protocol";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe("frame", () => {
  it("prefixes the length in little-endian order", () => {
    const msg = encodeClientMsg({ type: "ping", nonce: 0x01020304 });
    expect(Array.from(frame(msg))).toEqual([5, 0, 0, 0, 0x03, 1, 2, 3, 4]);
    expect(Array.from(frame(new Uint8Array(0)))).toEqual([0, 0, 0, 0]);
  });

  it("refuses messages over the limit", () => {
    expect(() => frame(new Uint8Array(MAX_STREAM_FRAME + 1))).toThrow(RangeError);
    expect(frame(new Uint8Array(MAX_STREAM_FRAME)).length).toBe(MAX_STREAM_FRAME + 4);
  });
});

describe("FrameReader", () => {
  const messages = [
    new Uint8Array([1]),
    new Uint8Array(0),
    Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
    new Uint8Array([9, 8, 7]),
    Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff),
  ];
  const stream = concat(messages.map(frame));

  it("yields every message from one chunk", () => {
    expect(new FrameReader().push(stream)).toEqual(messages);
  });

  it("yields the same messages for any chunking", () => {
    for (const size of [1, 2, 3, 4, 5, 7, 64, 301, 4099]) {
      const reader = new FrameReader();
      const got: Uint8Array[] = [];
      for (let at = 0; at < stream.length; at += size) got.push(...reader.push(stream.subarray(at, at + size)));
      expect(got, `chunk size ${size}`).toEqual(messages);
      expect(reader.buffered).toBe(0);
    }
  });

  it("holds a partial frame until it completes", () => {
    const reader = new FrameReader();
    const f = frame(new Uint8Array([1, 2, 3]));
    expect(reader.push(f.subarray(0, 5))).toEqual([]);
    expect(reader.buffered).toBe(5);
    expect(reader.push(f.subarray(5))).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it("returns copies that later pushes do not overwrite", () => {
    const reader = new FrameReader();
    const [first] = reader.push(frame(new Uint8Array([4, 5])));
    reader.push(frame(new Uint8Array([6, 7])));
    expect(first).toEqual(new Uint8Array([4, 5]));
  });

  it("rejects an oversized length prefix before its body arrives, and stays failed", () => {
    const reader = new FrameReader();
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, MAX_STREAM_FRAME + 1, true);
    expect(reader.push(frame(new Uint8Array([1])))).toEqual([new Uint8Array([1])]);
    expect(() => reader.push(header)).toThrow(FrameError);
    expect(() => reader.push(frame(new Uint8Array([2])))).toThrow(FrameError);
  });

  it("accepts a frame of exactly the limit", () => {
    const reader = new FrameReader();
    const big = new Uint8Array(MAX_STREAM_FRAME);
    big[MAX_STREAM_FRAME - 1] = 42;
    const [got] = reader.push(frame(big));
    expect(got?.length).toBe(MAX_STREAM_FRAME);
    expect(got?.[MAX_STREAM_FRAME - 1]).toBe(42);
  });
});
