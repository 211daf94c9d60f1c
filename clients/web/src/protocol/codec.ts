// Encoder and decoder of the client protocol (protocol/SPEC.md). Decoders throw DecodeError
// with the same reason labels as the Rust codec; encoders throw RangeError for values the
// protocol cannot carry (non-integers, out-of-range numbers, over-limit lists or strings).

import { BitReader, BitWriter } from "./bits";
import { readCatalog, writeCatalog } from "./catalog";
import { readEntityPacket, writeAck, writeEntityPacket } from "./delta";
import { readSocial, readSocialCommand, writeSocial, writeSocialCommand } from "./social";
import {
  COMMAND_ERRORS,
  ENTITY_KINDS,
  HEX_MIN_BITS,
  NOTICE_KINDS,
  MOVE_REASONS,
  REJECT_REASONS,
  RESOURCE_KINDS,
  U16,
  U32,
  U8,
  VISIBILITIES,
  VISIBILITY_BITS,
  checkCount,
  checkEnum,
  checkUint,
  readCount,
  readEnum,
  readHex,
  readList,
  readString,
  readVarint,
  utf8Decoder,
  utf8Encoder,
  writeHex,
  writeList,
  writeString,
  writeVarint,
} from "./prim";
import {
  ClientType,
  CommandType,
  DecodeError,
  MAX_NOTICE_LEN,
  MAX_TICKET_LEN,
  MAX_TOKEN_LEN,
  MAX_URL_LEN,
  MAX_USER_ID,
  ServerType,
} from "./types";
import type {
  ClientMsg,
  Command,
  EntityChange,
  EntityState,
  ResourceAmount,
  ServerMsg,
  VisionChange,
} from "./types";

export { zigzagDecode, zigzagEncode } from "./prim";

// ---- tickets --------------------------------------------------------------------------

/** A resume ticket travels as bytes; the message shape holds it as lowercase hex. */
function writeTicket(w: BitWriter, hex: string): void {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new RangeError("ticket must be lowercase hex");
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  writeVarint(w, checkCount(bytes.length, "ticket", MAX_TICKET_LEN));
  w.writeBytes(bytes);
}

function readTicket(r: BitReader): string {
  const n = readCount(r, "ticket", 8, MAX_TICKET_LEN);
  return Array.from(r.readBytes(n), (b) => b.toString(16).padStart(2, "0")).join("");
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
      writeCommand(w, m.command);
      break;
    case "ping":
      w.writeBits(ClientType.Ping, 8);
      w.writeBits(checkUint(m.nonce, U32, "nonce"), 32);
      break;
    case "ack":
      w.writeBits(ClientType.Ack, 8);
      writeAck(w, m.newest, m.mask);
      break;
    case "resume":
      w.writeBits(ClientType.Resume, 8);
      w.writeBits(checkUint(m.version, U16, "version"), 16);
      writeString(w, m.token, MAX_TOKEN_LEN, "token");
      writeTicket(w, m.ticket);
      break;
  }
  return w.finish();
}

/** Writes a command's type and fields (SPEC.md §6.1). */
function writeCommand(w: BitWriter, c: Command): void {
  switch (c.type) {
    case "move":
      w.writeBits(CommandType.Move, 8);
      writeVarint(w, checkUint(c.unit, U32, "unit"));
      writeHex(w, c.to);
      break;
    case "stop":
      w.writeBits(CommandType.Stop, 8);
      writeVarint(w, checkUint(c.unit, U32, "unit"));
      break;
    case "attack":
      w.writeBits(CommandType.Attack, 8);
      writeVarint(w, checkUint(c.unit, U32, "unit"));
      writeVarint(w, checkUint(c.target, U32, "target"));
      break;
    case "build":
      w.writeBits(CommandType.Build, 8);
      writeVarint(w, checkUint(c.unit, U32, "unit"));
      w.writeBits(checkEnum(c.kind, ENTITY_KINDS, "entity kind"), 8);
      writeHex(w, c.at);
      break;
    case "train":
      w.writeBits(CommandType.Train, 8);
      writeVarint(w, checkUint(c.building, U32, "building"));
      writeVarint(w, checkUint(c.recipe, U16, "recipe"));
      if (typeof c.repeat !== "boolean") throw new RangeError(`repeat is not a boolean: ${String(c.repeat)}`);
      w.writeBit(c.repeat);
      break;
    case "cancel":
      w.writeBits(CommandType.Cancel, 8);
      writeVarint(w, checkUint(c.building, U32, "building"));
      writeVarint(w, checkUint(c.job, U32, "job"));
      break;
    case "shareVision":
      w.writeBits(CommandType.ShareVision, 8);
      writeVarint(w, checkUint(c.to, U32, "to"));
      break;
    case "revokeVision":
      w.writeBits(CommandType.RevokeVision, 8);
      writeVarint(w, checkUint(c.to, U32, "to"));
      break;
    default:
      // The chat and alliance commands (protocol version 5), friend and mail commands (version 6).
      writeSocialCommand(w, c);
  }
}

/** Reads a command's type and fields (SPEC.md §6.1). */
function readCommand(r: BitReader): Command {
  const type = r.readBits(8);
  switch (type) {
    case CommandType.Move: {
      const unit = readVarint(r, 32);
      return { type: "move", unit, to: readHex(r) };
    }
    case CommandType.Stop:
      return { type: "stop", unit: readVarint(r, 32) };
    case CommandType.Attack: {
      const unit = readVarint(r, 32);
      return { type: "attack", unit, target: readVarint(r, 32) };
    }
    case CommandType.Build: {
      const unit = readVarint(r, 32);
      const kind = readEnum(r, 8, ENTITY_KINDS, "entity kind");
      return { type: "build", unit, kind, at: readHex(r) };
    }
    case CommandType.Train: {
      const building = readVarint(r, 32);
      const recipe = readVarint(r, 16);
      return { type: "train", building, recipe, repeat: r.readBit() };
    }
    case CommandType.Cancel: {
      const building = readVarint(r, 32);
      return { type: "cancel", building, job: readVarint(r, 32) };
    }
    case CommandType.ShareVision:
      return { type: "shareVision", to: readVarint(r, 32) };
    case CommandType.RevokeVision:
      return { type: "revokeVision", to: readVarint(r, 32) };
    default:
      // The chat and alliance commands (protocol version 5), friend and mail commands (version
      // 6); any other type is unknown_command.
      return readSocialCommand(r, type);
  }
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
      msg = { type: "command", seq, command: readCommand(r) };
      break;
    }
    case ClientType.Ping:
      msg = { type: "ping", nonce: r.readBits(32) };
      break;
    case ClientType.Ack: {
      const newest = r.readBits(16);
      msg = { type: "ack", newest, mask: r.readBits(32) };
      break;
    }
    case ClientType.Resume: {
      const version = r.readBits(16);
      const token = readString(r, MAX_TOKEN_LEN);
      msg = { type: "resume", version, token, ticket: readTicket(r) };
      break;
    }
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
    case "entityPacket":
      w.writeBits(ServerType.EntityPacket, 8);
      writeEntityPacket(w, m);
      break;
    case "notice": {
      const text = utf8Encoder.encode(m.text);
      if (text.length > MAX_NOTICE_LEN) throw new RangeError(`notice of ${text.length} bytes exceeds ${MAX_NOTICE_LEN}`);
      w.writeBits(ServerType.Notice, 8);
      w.writeBits(checkEnum(m.kind, NOTICE_KINDS, "notice kind"), 8);
      writeVarint(w, text.length);
      w.writeBytes(text);
      break;
    }
    case "move":
      w.writeBits(ServerType.Move, 8);
      w.writeBits(checkEnum(m.reason, MOVE_REASONS, "move reason"), 8);
      writeString(w, m.connectUrl, MAX_URL_LEN, "connectUrl");
      writeTicket(w, m.ticket);
      break;
    case "resumeTicket":
      w.writeBits(ServerType.ResumeTicket, 8);
      writeTicket(w, m.ticket);
      break;
    case "catalog":
      w.writeBits(ServerType.Catalog, 8);
      writeCatalog(w, m);
      break;
    case "social":
      w.writeBits(ServerType.Social, 8);
      writeSocial(w, m.social);
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
    case ServerType.EntityPacket:
      msg = readEntityPacket(r);
      break;
    case ServerType.Notice: {
      const kind = readEnum(r, 8, NOTICE_KINDS, "notice kind");
      const len = readVarint(r, 32);
      if (len > MAX_NOTICE_LEN) throw new DecodeError("string_too_long", `${len} bytes`);
      let text: string;
      try {
        text = utf8Decoder.decode(r.readBytes(len));
      } catch (err) {
        if (err instanceof DecodeError) throw err;
        throw new DecodeError("invalid_utf8");
      }
      msg = { type: "notice", kind, text };
      break;
    }
    case ServerType.Move: {
      const reason = readEnum(r, 8, MOVE_REASONS, "move reason");
      const connectUrl = readString(r, MAX_URL_LEN);
      msg = { type: "move", reason, connectUrl, ticket: readTicket(r) };
      break;
    }
    case ServerType.ResumeTicket:
      msg = { type: "resumeTicket", ticket: readTicket(r) };
      break;
    case ServerType.Catalog:
      msg = { type: "catalog", ...readCatalog(r) };
      break;
    case ServerType.Social:
      msg = { type: "social", social: readSocial(r) };
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
