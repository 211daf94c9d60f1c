// Encoder and decoder of the client protocol (protocol/SPEC.md). Decoders throw DecodeError
// with the same reason labels as the Rust codec; encoders throw RangeError for values the
// protocol cannot carry (non-integers, out-of-range numbers, over-limit lists or strings).

import { BitReader, BitWriter } from "./bits";
import {
  ClientType,
  CommandError,
  CommandType,
  DecodeError,
  EntityKind,
  MAX_LIST_LEN,
  MAX_TOKEN_LEN,
  MAX_USER_ID,
  RejectReason,
  ResourceKind,
  ServerType,
  Visibility,
} from "./types";
import type { ClientMsg, EntityChange, EntityState, Hex, ResourceAmount, ServerMsg, VisionChange } from "./types";

const GROUP_BITS = 7;
const HEX_MIN_BITS = 16;
const VISIBILITY_BITS = 2;

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as data instead of silently dropping it.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function codes(table: Record<string, number>): ReadonlySet<number> {
  return new Set(Object.values(table));
}
const REJECT_REASONS = codes(RejectReason);
const COMMAND_ERRORS = codes(CommandError);
const ENTITY_KINDS = codes(EntityKind);
const VISIBILITIES = codes(Visibility);
const RESOURCE_KINDS = codes(ResourceKind);

// ---- encoder checks -------------------------------------------------------------------

function checkUint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}
const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;

function checkEnum(v: number, set: ReadonlySet<number>, what: string): number {
  if (!set.has(v)) throw new RangeError(`invalid ${what}: ${v}`);
  return v;
}

function checkCount(n: number, what: string): number {
  if (n > MAX_LIST_LEN) throw new RangeError(`${what}: ${n} entries exceed ${MAX_LIST_LEN}`);
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

function writeVarint(w: BitWriter, value: number): void {
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
function readVarint(r: BitReader, bits: number): number {
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

function writeHex(w: BitWriter, h: Hex): void {
  writeVarint(w, zigzagEncode(h.q));
  writeVarint(w, zigzagEncode(h.r));
}

function readHex(r: BitReader): Hex {
  const q = zigzagDecode(readVarint(r, 32));
  const rr = zigzagDecode(readVarint(r, 32));
  return { q, r: rr };
}

function readCount(r: BitReader, field: string, minBits: number): number {
  const n = readVarint(r, 32);
  if (n > MAX_LIST_LEN) throw new DecodeError("list_too_long", `${field}: ${n}`);
  if (n * minBits > r.remainingBits) throw new DecodeError("truncated", `${field}: ${n} entries`);
  return n;
}

function readList<T>(r: BitReader, field: string, minBits: number, item: (r: BitReader) => T): T[] {
  const n = readCount(r, field, minBits);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(r));
  return out;
}

function writeList<T>(w: BitWriter, items: readonly T[], what: string, item: (w: BitWriter, v: T) => void): void {
  writeVarint(w, checkCount(items.length, what));
  for (const v of items) item(w, v);
}

function readEnum(r: BitReader, bits: number, set: ReadonlySet<number>, field: string): number {
  const v = r.readBits(bits);
  if (!set.has(v)) throw new DecodeError("bad_enum", `${field} ${v}`);
  return v;
}

// ---- client messages ------------------------------------------------------------------

/** Encodes a client → edge message. */
export function encodeClientMsg(m: ClientMsg): Uint8Array {
  const w = new BitWriter();
  switch (m.type) {
    case "hello": {
      const token = utf8Encoder.encode(m.token);
      if (token.length > MAX_TOKEN_LEN) throw new RangeError(`token of ${token.length} bytes exceeds ${MAX_TOKEN_LEN}`);
      w.writeBits(ClientType.Hello, 8);
      w.writeBits(checkUint(m.version, U16, "version"), 16);
      writeVarint(w, token.length);
      w.writeBytes(token);
      break;
    }
    case "command":
      w.writeBits(ClientType.Command, 8);
      writeVarint(w, checkUint(m.seq, U32, "seq"));
      w.writeBits(CommandType.Move, 8);
      writeVarint(w, checkUint(m.command.unit, U32, "unit"));
      writeHex(w, m.command.to);
      break;
    case "ping":
      w.writeBits(ClientType.Ping, 8);
      w.writeBits(checkUint(m.nonce, U32, "nonce"), 32);
      break;
  }
  return w.finish();
}

/** Decodes a client → edge message; throws DecodeError. */
export function decodeClientMsg(bytes: Uint8Array): ClientMsg {
  const r = new BitReader(bytes);
  let msg: ClientMsg;
  const type = r.readBits(8);
  switch (type) {
    case ClientType.Hello: {
      const version = r.readBits(16);
      const len = readVarint(r, 32);
      if (len > MAX_TOKEN_LEN) throw new DecodeError("string_too_long", `${len} bytes`);
      let token: string;
      try {
        token = utf8Decoder.decode(r.readBytes(len));
      } catch (err) {
        if (err instanceof DecodeError) throw err;
        throw new DecodeError("invalid_utf8");
      }
      msg = { type: "hello", version, token };
      break;
    }
    case ClientType.Command: {
      const seq = readVarint(r, 32);
      const command = r.readBits(8);
      if (command !== CommandType.Move) throw new DecodeError("unknown_command", `${command}`);
      const unit = readVarint(r, 32);
      const to = readHex(r);
      msg = { type: "command", seq, command: { type: "move", unit, to } };
      break;
    }
    case ClientType.Ping:
      msg = { type: "ping", nonce: r.readBits(32) };
      break;
    default:
      throw new DecodeError("unknown_type", `${type}`);
  }
  r.finish();
  return msg;
}

// ---- server messages ------------------------------------------------------------------

/** Encodes an edge → client message. */
export function encodeServerMsg(m: ServerMsg): Uint8Array {
  const w = new BitWriter();
  switch (m.type) {
    case "welcome":
      w.writeBits(ServerType.Welcome, 8);
      writeVarint(w, checkUint(m.userId, MAX_USER_ID, "userId"));
      writeVarint(w, checkUint(m.empire, U32, "empire"));
      w.writeBits(checkUint(m.tickRateHz, U8, "tickRateHz"), 8);
      break;
    case "reject":
      w.writeBits(ServerType.Reject, 8);
      w.writeBits(checkEnum(m.reason, REJECT_REASONS, "reject reason"), 8);
      break;
    case "map":
      w.writeBits(ServerType.Map, 8);
      w.writeBits(checkUint(m.chunkRadius, U8, "chunkRadius"), 8);
      writeList(w, m.chunks, "chunks", writeHex);
      writeList(w, m.blocked, "blocked", writeHex);
      break;
    case "update":
      w.writeBits(ServerType.Update, 8);
      w.writeBits(checkUint(m.tick, U32, "tick"), 32);
      writeList(w, m.appeared, "appeared", writeEntityState);
      writeList(w, m.changed, "changed", writeEntityChange);
      writeList(w, m.disappeared, "disappeared", (w2, id) => writeVarint(w2, checkUint(id, U32, "id")));
      writeList(w, m.vision, "vision", writeVisionChange);
      writeList(w, m.resources, "resources", writeResource);
      break;
    case "commandAck":
      w.writeBits(ServerType.CommandAck, 8);
      writeVarint(w, checkUint(m.seq, U32, "seq"));
      break;
    case "commandRejected":
      w.writeBits(ServerType.CommandRejected, 8);
      writeVarint(w, checkUint(m.seq, U32, "seq"));
      w.writeBits(checkEnum(m.error, COMMAND_ERRORS, "command error"), 8);
      break;
    case "pong":
      w.writeBits(ServerType.Pong, 8);
      w.writeBits(checkUint(m.nonce, U32, "nonce"), 32);
      break;
  }
  return w.finish();
}

function writeEntityState(w: BitWriter, e: EntityState): void {
  writeVarint(w, checkUint(e.id, U32, "id"));
  w.writeBits(checkEnum(e.kind, ENTITY_KINDS, "entity kind"), 8);
  writeVarint(w, checkUint(e.owner, U32, "owner"));
  writeHex(w, e.pos);
  writeVarint(w, checkUint(e.health, U16, "health"));
}

function writeEntityChange(w: BitWriter, c: EntityChange): void {
  writeVarint(w, checkUint(c.id, U32, "id"));
  w.writeBit(c.pos !== undefined);
  w.writeBit(c.health !== undefined);
  if (c.pos !== undefined) writeHex(w, c.pos);
  if (c.health !== undefined) writeVarint(w, checkUint(c.health, U16, "health"));
}

function writeVisionChange(w: BitWriter, v: VisionChange): void {
  writeHex(w, v.hex);
  w.writeBits(checkEnum(v.state, VISIBILITIES, "visibility"), VISIBILITY_BITS);
}

function writeResource(w: BitWriter, res: ResourceAmount): void {
  w.writeBits(checkEnum(res.kind, RESOURCE_KINDS, "resource kind"), 8);
  writeVarint(w, checkUint(res.amount, U32, "amount"));
}

/** Decodes an edge → client message; throws DecodeError. */
export function decodeServerMsg(bytes: Uint8Array): ServerMsg {
  const r = new BitReader(bytes);
  let msg: ServerMsg;
  const type = r.readBits(8);
  switch (type) {
    case ServerType.Welcome: {
      const userId = readVarint(r, 53);
      const empire = readVarint(r, 32);
      msg = { type: "welcome", userId, empire, tickRateHz: r.readBits(8) };
      break;
    }
    case ServerType.Reject:
      msg = { type: "reject", reason: readEnum(r, 8, REJECT_REASONS, "reject reason") };
      break;
    case ServerType.Map: {
      const chunkRadius = r.readBits(8);
      const chunks = readList(r, "chunks", HEX_MIN_BITS, readHex);
      const blocked = readList(r, "blocked", HEX_MIN_BITS, readHex);
      msg = { type: "map", chunkRadius, chunks, blocked };
      break;
    }
    case ServerType.Update:
      msg = readUpdate(r);
      break;
    case ServerType.CommandAck:
      msg = { type: "commandAck", seq: readVarint(r, 32) };
      break;
    case ServerType.CommandRejected: {
      const seq = readVarint(r, 32);
      msg = { type: "commandRejected", seq, error: readEnum(r, 8, COMMAND_ERRORS, "command error") };
      break;
    }
    case ServerType.Pong:
      msg = { type: "pong", nonce: r.readBits(32) };
      break;
    default:
      throw new DecodeError("unknown_type", `${type}`);
  }
  r.finish();
  return msg;
}

function readUpdate(r: BitReader): ServerMsg {
  const tick = r.readBits(32);
  const appeared = readList(r, "appeared", 8 + 8 + 8 + HEX_MIN_BITS + 8, readEntityState);
  const changed = readList(r, "changed", 8 + 2, readEntityChange);
  const disappeared = readList(r, "disappeared", 8, (rr) => readVarint(rr, 32));
  const vision = readList(r, "vision", HEX_MIN_BITS + VISIBILITY_BITS, readVisionChange);
  const resources = readList(r, "resources", 8 + 8, readResource);
  return { type: "update", tick, appeared, changed, disappeared, vision, resources };
}

function readEntityState(r: BitReader): EntityState {
  const id = readVarint(r, 32);
  const kind = readEnum(r, 8, ENTITY_KINDS, "entity kind");
  const owner = readVarint(r, 32);
  const pos = readHex(r);
  const health = readVarint(r, 16);
  return { id, kind, owner, pos, health };
}

function readEntityChange(r: BitReader): EntityChange {
  const id = readVarint(r, 32);
  const hasPos = r.readBit();
  const hasHealth = r.readBit();
  const change: EntityChange = { id };
  if (hasPos) change.pos = readHex(r);
  if (hasHealth) change.health = readVarint(r, 16);
  return change;
}

function readVisionChange(r: BitReader): VisionChange {
  const hex = readHex(r);
  return { hex, state: readEnum(r, VISIBILITY_BITS, VISIBILITIES, "visibility") };
}

function readResource(r: BitReader): ResourceAmount {
  const kind = readEnum(r, 8, RESOURCE_KINDS, "resource kind");
  return { kind, amount: readVarint(r, 32) };
}
