// Primitive encodings of the client protocol (protocol/SPEC.md §3): varints, zigzag, hexes,
// strings, list counts and enums, plus the encoder's range checks. Shared by codec.ts,
// delta.ts and catalog.ts.

import type { BitReader, BitWriter } from "./bits";
import {
  CommandError,
  DecodeError,
  EntityKind,
  JobState,
  MAX_LIST_LEN,
  NoticeKind,
  MoveReason,
  RejectReason,
  ResourceKind,
  Visibility,
} from "./types";
import type { Hex } from "./types";

export const GROUP_BITS = 7;
export const HEX_MIN_BITS = 16;
export const VISIBILITY_BITS = 2;

export function codes(table: Record<string, number>): ReadonlySet<number> {
  return new Set(Object.values(table));
}
export const REJECT_REASONS = codes(RejectReason);
export const NOTICE_KINDS = codes(NoticeKind);
export const MOVE_REASONS = codes(MoveReason);
export const COMMAND_ERRORS = codes(CommandError);
export const ENTITY_KINDS = codes(EntityKind);
export const VISIBILITIES = codes(Visibility);
export const RESOURCE_KINDS = codes(ResourceKind);
export const JOB_STATES = codes(JobState);

// ---- encoder checks -------------------------------------------------------------------

export function checkUint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}
export const U8 = 0xff;
export const U16 = 0xffff;
export const U32 = 0xffffffff;

export function checkEnum(v: number, set: ReadonlySet<number>, what: string): number {
  if (!set.has(v)) throw new RangeError(`invalid ${what}: ${v}`);
  return v;
}

export function checkCount(n: number, what: string, max: number = MAX_LIST_LEN): number {
  if (n > max) throw new RangeError(`${what}: ${n} entries exceed ${max}`);
  return n;
}

// ---- primitives -----------------------------------------------------------------------

/** Zigzag-maps a signed 32-bit integer to an unsigned one. */
export function zigzagEncode(v: number): number {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`not an i32: ${v}`);
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

/** Inverse of zigzagEncode. */
export function zigzagDecode(z: number): number {
  return (z >>> 1) ^ -(z & 1);
}

export function writeVarint(w: BitWriter, value: number): void {
  let v = value;
  for (;;) {
    const group = v % 128;
    v = Math.floor(v / 128);
    const more = v !== 0;
    w.writeBit(more);
    w.writeBits(group, GROUP_BITS);
    if (!more) return;
  }
}

/** Reads a varint for a field holding values below 2^bits (bits <= 53). */
export function readVarint(r: BitReader, bits: number): number {
  const maxGroups = Math.ceil(bits / GROUP_BITS);
  let value = 0;
  for (let i = 0; i < maxGroups; i++) {
    const more = r.readBit();
    const group = r.readBits(GROUP_BITS);
    const shift = i * GROUP_BITS;
    const room = bits - shift;
    if (room < GROUP_BITS && group >>> room !== 0) throw new DecodeError("varint_overflow");
    value += group * 2 ** shift;
    if (!more) {
      if (i > 0 && group === 0) throw new DecodeError("non_canonical_varint");
      return value;
    }
  }
  throw new DecodeError("varint_overflow");
}

export function writeHex(w: BitWriter, h: Hex): void {
  writeVarint(w, zigzagEncode(h.q));
  writeVarint(w, zigzagEncode(h.r));
}

export function readHex(r: BitReader): Hex {
  const q = zigzagDecode(readVarint(r, 32));
  const rr = zigzagDecode(readVarint(r, 32));
  return { q, r: rr };
}

export const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as data instead of silently dropping it.
export const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Writes a string of at most `max` UTF-8 bytes (RangeError above it, or for what is not a string). */
export function writeString(w: BitWriter, s: string, max: number, what: string): void {
  if (typeof s !== "string") throw new RangeError(`${what} is not a string: ${String(s)}`);
  const bytes = utf8Encoder.encode(s);
  if (bytes.length > max) throw new RangeError(`${what} of ${bytes.length} bytes exceeds ${max}`);
  writeVarint(w, bytes.length);
  w.writeBytes(bytes);
}

/** Reads a string of at most `max` UTF-8 bytes. */
export function readString(r: BitReader, max: number): string {
  const len = readVarint(r, 32);
  if (len > max) throw new DecodeError("string_too_long", `${len} bytes`);
  try {
    return utf8Decoder.decode(r.readBytes(len));
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError("invalid_utf8");
  }
}

export function readCount(r: BitReader, field: string, minBits: number, max: number = MAX_LIST_LEN): number {
  const n = readVarint(r, 32);
  if (n > max) throw new DecodeError("list_too_long", `${field}: ${n}`);
  if (n * minBits > r.remainingBits) throw new DecodeError("truncated", `${field}: ${n} entries`);
  return n;
}

export function readList<T>(
  r: BitReader,
  field: string,
  minBits: number,
  item: (r: BitReader) => T,
  max: number = MAX_LIST_LEN,
): T[] {
  const n = readCount(r, field, minBits, max);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(r));
  return out;
}

export function writeList<T>(
  w: BitWriter,
  items: readonly T[],
  what: string,
  item: (w: BitWriter, v: T) => void,
  max: number = MAX_LIST_LEN,
): void {
  writeVarint(w, checkCount(items.length, what, max));
  for (const v of items) item(w, v);
}

export function readEnum(r: BitReader, bits: number, set: ReadonlySet<number>, field: string): number {
  const v = r.readBits(bits);
  if (!set.has(v)) throw new DecodeError("bad_enum", `${field} ${v}`);
  return v;
}

