// Delta updates (protocol/SPEC.md §16): the fields of the EntityPacket datagram (edge → client)
// and of Ack (client → edge), after their type byte. Used by codec.ts.

import type { BitReader, BitWriter } from "./bits";
import {
  COMMAND_ERRORS,
  ENTITY_KINDS,
  JOB_STATES,
  RESOURCE_KINDS,
  U16,
  U32,
  VISIBILITIES,
  VISIBILITY_BITS,
  checkCount,
  checkEnum,
  checkUint,
  readCount,
  readEnum,
  readHex,
  readList,
  readVarint,
  writeHex,
  writeList,
  writeVarint,
} from "./prim";
import { DecodeError, EventTag, ExtendedEventKind, MAX_BASELINE_AGE, MAX_ENTITY_RECORDS, MAX_EVENTS } from "./types";
import type { DeltaEvent, EntityPacket, EntityRecord, EventEntry, Hex } from "./types";

const EVENT_TAG_BITS = 3;
/** The kind after an extended event's tag (SPEC.md §20.3). */
const EXTENDED_KIND_BITS = 8;
const STEP_DIR_BITS = 3;
const BASELINE_AGE_BITS = 15;
/** Event id, tag and a one-group varint. */
const EVENT_MIN_BITS = 8 + EVENT_TAG_BITS + 8;
/** Id, has_baseline, uses_common and two presence bits (a full record has four). */
const RECORD_MIN_BITS = 8 + 1 + 1 + 2;

/** The six axial neighbour offsets, indexed by a position step's direction (SPEC.md §16.2). */
export const HEX_STEPS: readonly Hex[] = [
  { q: 1, r: 0 },
  { q: 1, r: -1 },
  { q: 0, r: -1 },
  { q: -1, r: 0 },
  { q: -1, r: 1 },
  { q: 0, r: 1 },
];

/** The direction index of `d` if it is one of the six steps, else -1. */
function stepIndex(d: Hex): number {
  return HEX_STEPS.findIndex((s) => s.q === d.q && s.r === d.r);
}

/** The most frequent baseline age of the delta records (the smallest on ties), 0 if none. */
function mostFrequentAge(records: readonly EntityRecord[]): number {
  const ages: number[] = [];
  for (const rec of records) if (rec.baselineAge !== undefined) ages.push(rec.baselineAge);
  ages.sort((a, b) => a - b);
  let best = 0;
  let bestCount = 0;
  let run = 0;
  ages.forEach((age, i) => {
    run = i > 0 && ages[i - 1] === age ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = age;
    }
  });
  return best;
}

/**
 * The records in wire order: checked, then sorted by id. Throws RangeError for a value the
 * wire cannot carry, including two records of one id.
 */
function wireOrder(entities: readonly EntityRecord[]): EntityRecord[] {
  for (const rec of entities) {
    checkUint(rec.id, U32, "id");
    if (rec.baselineAge !== undefined) {
      if (rec.baselineAge < 1) throw new RangeError(`baselineAge out of range: ${rec.baselineAge}`);
      checkUint(rec.baselineAge, MAX_BASELINE_AGE, "baselineAge");
      if (rec.kind !== undefined || rec.owner !== undefined) {
        throw new RangeError("a record with a baseline carries no kind or owner");
      }
    }
  }
  const sorted = [...entities].sort((a, b) => a.id - b.id);
  sorted.forEach((rec, i) => {
    if (i > 0 && sorted[i - 1]?.id === rec.id) throw new RangeError(`two records of entity ${rec.id}`);
  });
  return sorted;
}

/**
 * Writes an EntityPacket's fields (after the type byte). Records go out sorted by id (a
 * decoded packet's records are always sorted); two records of one id throw RangeError.
 */
export function writeEntityPacket(w: BitWriter, p: EntityPacket): void {
  w.writeBits(checkUint(p.seq, U16, "seq"), 16);
  writeVarint(w, checkUint(p.tick, U32, "tick"));
  if (p.healthStep === 0) throw new RangeError("healthStep must be at least 1");
  writeVarint(w, checkUint(p.healthStep, U16, "healthStep"));
  const records = wireOrder(p.entities);
  const commonAge = mostFrequentAge(records);
  writeVarint(w, commonAge);
  writeList(w, p.events, "events", writeEvent, MAX_EVENTS);
  writeVarint(w, checkCount(records.length, "entities", MAX_ENTITY_RECORDS));
  let prev: number | undefined;
  for (const rec of records) {
    writeRecord(w, rec, prev === undefined ? rec.id : rec.id - prev - 1, commonAge);
    prev = rec.id;
  }
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
    case "combat":
      w.writeBits(EventTag.Combat, EVENT_TAG_BITS);
      writeVarint(w, checkUint(ev.dealt, U32, "dealt"));
      writeVarint(w, checkUint(ev.taken, U32, "taken"));
      writeVarint(w, checkUint(ev.kills, U16, "kills"));
      writeVarint(w, checkUint(ev.losses, U16, "losses"));
      break;
    case "job":
      w.writeBits(EventTag.Job, EVENT_TAG_BITS);
      writeVarint(w, checkUint(ev.building, U32, "building"));
      writeVarint(w, checkUint(ev.job, U32, "job"));
      writeVarint(w, checkUint(ev.recipe, U16, "recipe"));
      w.writeBits(checkEnum(ev.state, JOB_STATES, "job state"), 8);
      break;
    case "sharing":
      w.writeBits(EventTag.Extended, EVENT_TAG_BITS);
      w.writeBits(ExtendedEventKind.Sharing, EXTENDED_KIND_BITS);
      writeVarint(w, checkUint(ev.empire, U32, "empire"));
      w.writeBit(checkBool(ev.outgoing, "outgoing"));
      w.writeBit(checkBool(ev.active, "active"));
      break;
    case "lastSeen":
      w.writeBits(EventTag.Extended, EVENT_TAG_BITS);
      w.writeBits(ExtendedEventKind.LastSeen, EXTENDED_KIND_BITS);
      writeVarint(w, checkUint(ev.id, U32, "id"));
      w.writeBits(checkEnum(ev.kind, ENTITY_KINDS, "entity kind"), 8);
      writeVarint(w, checkUint(ev.owner, U32, "owner"));
      writeHex(w, ev.pos);
      writeVarint(w, checkUint(ev.ageSecs, U32, "ageSecs"));
      break;
    case "forget":
      w.writeBits(EventTag.Extended, EVENT_TAG_BITS);
      w.writeBits(ExtendedEventKind.Forget, EXTENDED_KIND_BITS);
      writeVarint(w, checkUint(ev.id, U32, "id"));
      break;
  }
}

function checkBool(v: boolean, what: string): boolean {
  if (typeof v !== "boolean") throw new RangeError(`${what} is not a boolean: ${String(v)}`);
  return v;
}

/** Writes a record whose ids and ages `wireOrder` checked; `idField` is its id or id gap. */
function writeRecord(w: BitWriter, rec: EntityRecord, idField: number, commonAge: number): void {
  writeVarint(w, idField);
  if (rec.baselineAge !== undefined) {
    w.writeBit(true);
    const usesCommon = rec.baselineAge === commonAge;
    w.writeBit(usesCommon);
    if (!usesCommon) writeVarint(w, rec.baselineAge);
  } else {
    w.writeBit(false);
    w.writeBit(rec.kind !== undefined);
    w.writeBit(rec.owner !== undefined);
  }
  w.writeBit(rec.pos !== undefined);
  w.writeBit(rec.health !== undefined);
  if (rec.kind !== undefined) w.writeBits(checkEnum(rec.kind, ENTITY_KINDS, "entity kind"), 8);
  if (rec.owner !== undefined) writeVarint(w, checkUint(rec.owner, U32, "owner"));
  if (rec.pos !== undefined) {
    if (rec.baselineAge === undefined) {
      writeHex(w, rec.pos);
    } else {
      const dir = stepIndex(rec.pos);
      w.writeBit(dir >= 0);
      if (dir >= 0) w.writeBits(dir, STEP_DIR_BITS);
      else writeHex(w, rec.pos);
    }
  }
  if (rec.health !== undefined) writeVarint(w, checkUint(rec.health, U16, "health"));
}

/** Reads an EntityPacket's fields (after the type byte); throws DecodeError. */
export function readEntityPacket(r: BitReader): EntityPacket {
  const seq = r.readBits(16);
  const tick = readVarint(r, 32);
  const healthStep = readVarint(r, 16);
  if (healthStep === 0) throw new DecodeError("out_of_range", "health_step");
  const commonAge = readVarint(r, BASELINE_AGE_BITS);
  const events = readList(r, "events", EVENT_MIN_BITS, readEvent, MAX_EVENTS);
  const n = readCount(r, "entities", RECORD_MIN_BITS, MAX_ENTITY_RECORDS);
  const entities: EntityRecord[] = [];
  let prev: number | undefined;
  for (let i = 0; i < n; i++) {
    const rec = readRecord(r, prev, commonAge);
    entities.push(rec);
    prev = rec.id;
  }
  if (mostFrequentAge(entities) !== commonAge) throw new DecodeError("non_canonical", "common_age");
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
    case EventTag.Combat: {
      const dealt = readVarint(r, 32);
      const taken = readVarint(r, 32);
      const kills = readVarint(r, 16);
      event = { type: "combat", dealt, taken, kills, losses: readVarint(r, 16) };
      break;
    }
    case EventTag.Job: {
      const building = readVarint(r, 32);
      const job = readVarint(r, 32);
      const recipe = readVarint(r, 16);
      event = { type: "job", building, job, recipe, state: readEnum(r, 8, JOB_STATES, "job state") };
      break;
    }
    case EventTag.Extended:
      event = readExtended(r);
      break;
    default:
      throw new DecodeError("bad_enum", `event tag ${tag}`);
  }
  return { eventId, event };
}

/**
 * The body of an extended event (tag 7, SPEC.md §20.3): its 8-bit kind, then the kind's fields
 * (0 Sharing, 1 LastSeen, 2 Forget: §20.6).
 */
function readExtended(r: BitReader): DeltaEvent {
  const kind = r.readBits(EXTENDED_KIND_BITS);
  switch (kind) {
    case ExtendedEventKind.Sharing: {
      const empire = readVarint(r, 32);
      const outgoing = r.readBit();
      return { type: "sharing", empire, outgoing, active: r.readBit() };
    }
    case ExtendedEventKind.LastSeen: {
      const id = readVarint(r, 32);
      const kind = readEnum(r, 8, ENTITY_KINDS, "entity kind");
      const owner = readVarint(r, 32);
      const pos = readHex(r);
      return { type: "lastSeen", id, kind, owner, pos, ageSecs: readVarint(r, 32) };
    }
    case ExtendedEventKind.Forget:
      return { type: "forget", id: readVarint(r, 32) };
    default:
      throw new DecodeError("bad_enum", `event_kind ${kind}`);
  }
}

/** Reads one record; `prev` is the previous record's id. */
function readRecord(r: BitReader, prev: number | undefined, commonAge: number): EntityRecord {
  const idField = readVarint(r, 32);
  const id = prev === undefined ? idField : prev + idField + 1;
  if (id > U32) throw new DecodeError("out_of_range", "id");
  const rec: EntityRecord = { id };
  let hasKind = false;
  let hasOwner = false;
  if (r.readBit()) {
    rec.baselineAge = readBaselineAge(r, commonAge);
  } else {
    hasKind = r.readBit();
    hasOwner = r.readBit();
  }
  const hasPos = r.readBit();
  const hasHealth = r.readBit();
  if (hasKind) rec.kind = readEnum(r, 8, ENTITY_KINDS, "entity kind");
  if (hasOwner) rec.owner = readVarint(r, 32);
  if (hasPos) rec.pos = rec.baselineAge === undefined ? readHex(r) : readPosDelta(r);
  if (hasHealth) rec.health = readVarint(r, 16);
  return rec;
}

/** `uses_common`, then the explicit age if it is 0. */
function readBaselineAge(r: BitReader, commonAge: number): number {
  if (r.readBit()) {
    if (commonAge === 0) throw new DecodeError("out_of_range", "uses_common");
    return commonAge;
  }
  const age = readVarint(r, BASELINE_AGE_BITS);
  if (age === 0) throw new DecodeError("out_of_range", "baseline_age");
  if (age === commonAge) throw new DecodeError("non_canonical", "baseline_age");
  return age;
}

/** `is_step`, then a direction index or a (dq, dr) that is not a step. */
function readPosDelta(r: BitReader): Hex {
  if (r.readBit()) {
    const dir = r.readBits(STEP_DIR_BITS);
    const step = HEX_STEPS[dir];
    if (step === undefined) throw new DecodeError("bad_enum", `step direction ${dir}`);
    return { q: step.q, r: step.r };
  }
  const d = readHex(r);
  if (stepIndex(d) >= 0) throw new DecodeError("non_canonical", "pos_delta");
  return d;
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
