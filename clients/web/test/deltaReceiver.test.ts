import { describe, expect, it } from "vitest";
import { DeltaReceiver } from "../src/deltaReceiver";
import { ackCovers, decodeClientMsg, encodeClientMsg } from "../src/protocol";
import type { EntityPacket, EntityRecord, EventEntry } from "../src/protocol";

function packet(seq: number, entities: EntityRecord[] = [], events: EventEntry[] = [], healthStep = 1): EntityPacket {
  return { type: "entityPacket", seq, tick: seq, healthStep, events, entities };
}

function cmdAck(eventId: number, seq: number): EventEntry {
  return { eventId, event: { type: "commandAck", seq } };
}

describe("DeltaReceiver", () => {
  it("applies full records and in-order deltas", () => {
    const rx = new DeltaReceiver();
    const full: EntityRecord = { id: 7, kind: 1, owner: 3, pos: { q: 5, r: -2 }, health: 20 };
    const r1 = rx.handlePacket(packet(10, [full, { id: 8 }], [], 5));
    expect(r1.appeared).toEqual([7, 8]);
    expect(rx.entities().get(7)).toEqual({ kind: 1, owner: 3, pos: { q: 5, r: -2 }, health: 100 });
    expect(rx.entities().get(8)).toEqual({ kind: 0, owner: 0, pos: { q: 0, r: 0 }, health: 0 });

    const moved: EntityRecord = { id: 7, baselineAge: 1, pos: { q: 1, r: 1 } };
    const r2 = rx.handlePacket(packet(11, [moved, { id: 8, baselineAge: 1 }], [], 5));
    expect(r2).toMatchObject({ appeared: [], changed: [7], removed: [], late: false, duplicate: false });
    expect(rx.entities().get(7)).toEqual({ kind: 1, owner: 3, pos: { q: 6, r: -1 }, health: 100 });

    // Delta against packet 10 (age 2), not against the current state; health saturates.
    rx.handlePacket(packet(12, [{ id: 7, baselineAge: 2, pos: { q: -1, r: 0 }, health: 70000 }], [], 2));
    expect(rx.entities().get(7)).toEqual({ kind: 1, owner: 3, pos: { q: 4, r: -2 }, health: 65535 });
    expect(rx.stats.missingBaseline).toBe(0);
  });

  it("wraps coordinate arithmetic at 32 bits", () => {
    const rx = new DeltaReceiver();
    rx.handlePacket(packet(1, [{ id: 1, pos: { q: 2147483647, r: -2147483648 } }]));
    rx.handlePacket(packet(2, [{ id: 1, baselineAge: 1, pos: { q: 1, r: -1 } }]));
    expect(rx.entities().get(1)?.pos).toEqual({ q: -2147483648, r: 2147483647 });
  });

  it("handles out-of-order and duplicate packets", () => {
    const rx = new DeltaReceiver();
    rx.handlePacket(packet(1, [{ id: 1, pos: { q: 0, r: 0 } }]));
    // 3 arrives before 2; both are deltas against 1.
    rx.handlePacket(packet(3, [{ id: 1, baselineAge: 2, pos: { q: 3, r: 0 } }]));
    const late = rx.handlePacket(packet(2, [{ id: 1, baselineAge: 1, pos: { q: 2, r: 0 } }, { id: 2, health: 4 }]));
    expect(late.late).toBe(true);
    expect(late.appeared).toEqual([2]); // nothing newer about entity 2
    expect(rx.entities().get(1)?.pos).toEqual({ q: 3, r: 0 });
    // Packet 2 is still a usable baseline.
    rx.handlePacket(packet(4, [{ id: 1, baselineAge: 2, pos: { q: 10, r: 0 } }]));
    expect(rx.entities().get(1)?.pos).toEqual({ q: 12, r: 0 });

    const dup = rx.handlePacket(packet(3, [{ id: 1, pos: { q: 99, r: 99 } }], [cmdAck(1, 1)]));
    expect(dup.duplicate).toBe(true);
    expect(dup.events).toEqual([]);
    expect(rx.entities().get(1)?.pos).toEqual({ q: 12, r: 0 });
    expect(rx.stats.duplicates).toBe(1);
    expect(rx.ack()).toEqual({ newest: 4, mask: 0b111 });
  });

  it("skips and counts records whose baseline is missing", () => {
    const rx = new DeltaReceiver();
    rx.handlePacket(packet(1, [{ id: 1, health: 5 }]));
    const r = rx.handlePacket(packet(3, [{ id: 1, baselineAge: 1, health: 9 }, { id: 2, baselineAge: 2 }, { id: 3 }]));
    expect(r.appeared).toEqual([3]);
    expect(rx.stats.missingBaseline).toBe(2); // packet 2 never came; entity 2 not in packet 1
    expect(rx.entities().get(1)?.health).toBe(5);
    // Baselines older than the history window are gone.
    const small = new DeltaReceiver({ historyWindow: 33 });
    small.handlePacket(packet(0, [{ id: 1 }]));
    small.handlePacket(packet(33, []));
    small.handlePacket(packet(34, [{ id: 1, baselineAge: 34, health: 1 }]));
    expect(small.stats.missingBaseline).toBe(1);
  });

  it("does not acknowledge a late packet with a record whose baseline is gone", () => {
    const rx = new DeltaReceiver();
    rx.handlePacket(packet(0, [{ id: 1, health: 5 }]));
    for (let seq = 1; seq <= 71; seq++) if (seq !== 49 && seq !== 50) rx.handlePacket(packet(seq));
    const before = rx.ack();
    // Packet 50 names packet 0 (age 50) as the baseline; it fell out of the 64-packet history.
    const late = rx.handlePacket(packet(50, [{ id: 1, baselineAge: 50, health: 9 }], [cmdAck(3, 1)]));
    expect(late.late).toBe(true);
    expect(late.events.map((e) => e.eventId)).toEqual([3]);
    expect(rx.stats.missingBaseline).toBe(1);
    const after = rx.ack();
    expect(after).toEqual(before);
    expect(after && ackCovers(after.newest, after.mask, 50)).toBe(false);
    // A late packet whose records all apply is acknowledged.
    rx.handlePacket(packet(49));
    const ok = rx.ack();
    expect(ok && ackCovers(ok.newest, ok.mask, 49)).toBe(true);
  });

  it("applies each event once across resends, before records", () => {
    const rx = new DeltaReceiver({ eventMemory: 2 });
    rx.handlePacket(packet(1, [{ id: 5 }, { id: 6 }]));
    const r2 = rx.handlePacket(packet(2, [], [cmdAck(10, 1), { eventId: 11, event: { type: "disappeared", id: 5 } }]));
    expect(r2.events.map((e) => e.eventId)).toEqual([10, 11]);
    expect(r2.removed).toEqual([5]);
    expect(rx.entities().has(5)).toBe(false);
    // Resent with a new one; only the new one is applied.
    const gone: EventEntry = { eventId: 11, event: { type: "disappeared", id: 5 } };
    const r3 = rx.handlePacket(packet(3, [], [cmdAck(10, 1), gone, cmdAck(12, 2)]));
    expect(r3.events.map((e) => e.eventId)).toEqual([12]);
    expect(r3.removed).toEqual([]);
    // A late packet (1 resent) cannot revive entity 5: its removal is newer.
    const late = rx.handlePacket(packet(0, [{ id: 5 }, { id: 7 }], [cmdAck(12, 2)]));
    expect(late.events).toEqual([]);
    expect(late.appeared).toEqual([7]);
    expect(rx.entities().has(5)).toBe(false);
    // Memory is bounded: the oldest id (10) was forgotten.
    expect(rx.handlePacket(packet(4, [], [cmdAck(10, 1)])).events.map((e) => e.eventId)).toEqual([10]);
  });

  it("builds ack masks across the u16 wraparound with bit 31 unsigned", () => {
    const rx = new DeltaReceiver();
    expect(rx.ack()).toBeNull();
    rx.handlePacket(packet(65505)); // 65505 = 1 - 1 - 31 mod 2^16 -> bit 31 once newest is 1
    rx.handlePacket(packet(65535));
    rx.handlePacket(packet(0));
    rx.handlePacket(packet(1));
    const ack = rx.ack();
    expect(ack).toEqual({ newest: 1, mask: (0b11 | 2 ** 31) >>> 0 });
    expect(ack?.mask).toBe(2147483651);
    expect(ack?.mask).toBeGreaterThan(0);
    if (ack === null) throw new Error("no ack");
    for (const seq of [1, 0, 65535, 65505]) expect(ackCovers(ack.newest, ack.mask, seq)).toBe(true);
    for (const seq of [65534, 65504, 2]) expect(ackCovers(ack.newest, ack.mask, seq)).toBe(false);
    // The ack round-trips through the codec.
    const bytes = encodeClientMsg({ type: "ack", newest: ack.newest, mask: ack.mask });
    expect(decodeClientMsg(bytes)).toEqual({ type: "ack", newest: 1, mask: 2147483651 });
    // A late packet from before the wrap fills its bit.
    rx.handlePacket(packet(65534));
    expect(rx.ack()?.mask).toBe((0b111 | 2 ** 31) >>> 0);
  });

  it("never lets a late older packet overwrite newer state, even across the wrap", () => {
    const rx = new DeltaReceiver();
    rx.handlePacket(packet(65534, [{ id: 1, owner: 2, health: 10 }]));
    rx.handlePacket(packet(1, [{ id: 1, baselineAge: 3, health: 30 }]));
    const late = rx.handlePacket(packet(65535, [{ id: 1, baselineAge: 1, health: 20 }]));
    expect(late.late).toBe(true);
    expect(late.changed).toEqual([]);
    expect(rx.entities().get(1)).toEqual({ kind: 0, owner: 2, pos: { q: 0, r: 0 }, health: 30 });
    // The late packet's state is still a baseline.
    rx.handlePacket(packet(2, [{ id: 1, baselineAge: 3 }]));
    expect(rx.entities().get(1)?.health).toBe(20);
    // A packet older than the window only contributes its events.
    const old = rx.handlePacket(packet(2 - 100 + 65536, [{ id: 9 }], [cmdAck(1, 1)]));
    expect(old.events.map((e) => e.eventId)).toEqual([1]);
    expect(old.appeared).toEqual([]);
    expect(rx.stats.tooOld).toBe(1);
  });
});
