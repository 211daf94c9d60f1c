// Delta updates (protocol/SPEC.md §16): the fields of the EntityPacket datagram (edge → client)
// and of Ack (client → edge), after their type byte. Used by codec.ts.

import type { BitReader, BitWriter } from "./bits";
import {
  COMMAND_ERRORS,
  ENTITY_KINDS,
  RESOURCE_KINDS,
  U16,
  U32,
  VISIBILITIES,
  VISIBILITY_BITS,
  checkEnum,
  checkUint,
  readEnum,
  readHex,
  readList,
  readVarint,
  writeHex,
  writeList,
  writeVarint,
} from "./prim";
import { DecodeError, EventTag, MAX_BASELINE_AGE, MAX_ENTITY_RECORDS, MAX_EVENTS } from "./types";
import type { DeltaEvent, EntityPacket, EntityRecord, EventEntry } from "./types";

const EVENT_TAG_BITS = 3;
/** Event id, tag and a one-group varint. */
const EVENT_MIN_BITS = 8 + EVENT_TAG_BITS + 8;
/** Id, has_baseline and four presence bits. */
const RECORD_MIN_BITS = 8 + 1 + 4;

/** Writes an EntityPacket's fields (after the type byte). */
export function writeEntityPacket(w: BitWriter, p: EntityPacket): void {
  w.writeBits(checkUint(p.seq, U16, "seq"), 16);
  writeVarint(w, checkUint(p.tick, U32, "tick"));
  if (p.healthStep === 0) throw new RangeError("healthStep must be at least 1");
  writeVarint(w, checkUint(p.healthStep, U16, "healthStep"));
  writeList(w, p.events, "events", writeEvent, MAX_EVENTS);
  writeList(w, p.entities, "entities", writeRecord, MAX_ENTITY_RECORDS);
}

function writeEvent(w: BitWriter, e: EventEntry): void {
  writeVarint(w, checkUint(e.eventId, U32, "eventId"));
  const ev = e.event;
  switch (ev.type) {
    case "disappeared":
      w.writeBits(EventTag.Disappeared, EVENT_TAG_BITS);
      writeVarint(w, checkUint(ev.id, U32, "id"));
      break;
    case "vision":
      w.writeBits(EventTag.Vision, EVENT_TAG_BITS);
      writeHex(w, ev.hex);
      w.writeBits(checkEnum(ev.state, VISIBILITIES, "visibility"), VISIBILITY_BITS);
      break;
    case "resource":
      w.writeBits(EventTag.Resource, EVENT_TAG_BITS);
      w.writeBits(checkEnum(ev.kind, RESOURCE_KINDS, "resource kind"), 8);
      writeVarint(w, checkUint(ev.amount, U32, "amount"));
      break;
    case "commandAck":
      w.writeBits(EventTag.CommandAck, EVENT_TAG_BITS);
      writeVarint(w, checkUint(ev.seq, U32, "seq"));
      break;
    case "commandRejected":
      w.writeBits(EventTag.CommandRejected, EVENT_TAG_BITS);
      writeVarint(w, checkUint(ev.seq, U32, "seq"));
      w.writeBits(checkEnum(ev.error, COMMAND_ERRORS, "command error"), 8);
      break;
  }
}

function writeRecord(w: BitWriter, rec: EntityRecord): void {
  writeVarint(w, checkUint(rec.id, U32, "id"));
  if (rec.baselineAge !== undefined) {
    if (rec.baselineAge < 1) throw new RangeError(`baselineAge out of range: ${rec.baselineAge}`);
    if (rec.kind !== undefined || rec.owner !== undefined) {
      throw new RangeError("a record with a baseline carries no kind or owner");
    }
    w.writeBit(true);
    writeVarint(w, checkUint(rec.baselineAge, MAX_BASELINE_AGE, "baselineAge"));
  } else {
    w.writeBit(false);
    w.writeBit(rec.kind !== undefined);
    w.writeBit(rec.owner !== undefined);
  }
  w.writeBit(rec.pos !== undefined);
  w.writeBit(rec.health !== undefined);
  if (rec.kind !== undefined) w.writeBits(checkEnum(rec.kind, ENTITY_KINDS, "entity kind"), 8);
  if (rec.owner !== undefined) writeVarint(w, checkUint(rec.owner, U32, "owner"));
  if (rec.pos !== undefined) writeHex(w, rec.pos);
  if (rec.health !== undefined) writeVarint(w, checkUint(rec.health, U16, "health"));
}

/** Reads an EntityPacket's fields (after the type byte); throws DecodeError. */
export function readEntityPacket(r: BitReader): EntityPacket {
  const seq = r.readBits(16);
  const tick = readVarint(r, 32);
  const healthStep = readVarint(r, 16);
  if (healthStep === 0) throw new DecodeError("out_of_range", "health_step");
  const events = readList(r, "events", EVENT_MIN_BITS, readEvent, MAX_EVENTS);
  const entities = readList(r, "entities", RECORD_MIN_BITS, readRecord, MAX_ENTITY_RECORDS);
  return { type: "entityPacket", seq, tick, healthStep, events, entities };
}

function readEvent(r: BitReader): EventEntry {
  const eventId = readVarint(r, 32);
  const tag = r.readBits(EVENT_TAG_BITS);
  let event: DeltaEvent;
  switch (tag) {
    case EventTag.Disappeared:
      event = { type: "disappeared", id: readVarint(r, 32) };
      break;
    case EventTag.Vision: {
      const hex = readHex(r);
      event = { type: "vision", hex, state: readEnum(r, VISIBILITY_BITS, VISIBILITIES, "visibility") };
      break;
    }
    case EventTag.Resource: {
      const kind = readEnum(r, 8, RESOURCE_KINDS, "resource kind");
      event = { type: "resource", kind, amount: readVarint(r, 32) };
      break;
    }
    case EventTag.CommandAck:
      event = { type: "commandAck", seq: readVarint(r, 32) };
      break;
    case EventTag.CommandRejected: {
      const seq = readVarint(r, 32);
      event = { type: "commandRejected", seq, error: readEnum(r, 8, COMMAND_ERRORS, "command error") };
      break;
    }
    default:
      throw new DecodeError("bad_enum", `event tag ${tag}`);
  }
  return { eventId, event };
}

function readRecord(r: BitReader): EntityRecord {
  const rec: EntityRecord = { id: readVarint(r, 32) };
  let hasKind = false;
  let hasOwner = false;
  if (r.readBit()) {
    const age = readVarint(r, 15);
    if (age === 0) throw new DecodeError("out_of_range", "baseline_age");
    rec.baselineAge = age;
  } else {
    hasKind = r.readBit();
    hasOwner = r.readBit();
  }
  const hasPos = r.readBit();
  const hasHealth = r.readBit();
  if (hasKind) rec.kind = readEnum(r, 8, ENTITY_KINDS, "entity kind");
  if (hasOwner) rec.owner = readVarint(r, 32);
  if (hasPos) rec.pos = readHex(r);
  if (hasHealth) rec.health = readVarint(r, 16);
  return rec;
}

/** Writes an Ack's fields (after the type byte). */
export function writeAck(w: BitWriter, newest: number, mask: number): void {
  w.writeBits(checkUint(newest, U16, "newest"), 16);
  w.writeBits(checkUint(mask, U32, "mask"), 32);
}

/** Whether packet `seq` is one an Ack { newest, mask } reports as received. */
export function ackCovers(newest: number, mask: number, seq: number): boolean {
  const d = (newest - seq) & 0xffff;
  if (d === 0) return true;
  if (d > 32) return false;
  return ((mask >>> (d - 1)) & 1) === 1;
}
