import { describe, expect, it } from "vitest";
import { DeltaSync, applyToWorld } from "../src/deltaSync";
import type { EntityPacket, EntityRecord, EventEntry } from "../src/protocol";
import { VISIBLE, World } from "../src/world";

const ME = 7;

function packet(seq: number, entities: EntityRecord[] = [], events: EventEntry[] = [], healthStep = 1): EntityPacket {
  return { type: "entityPacket", seq, tick: 100 + seq, healthStep, events, entities };
}

function full(id: number, owner: number, q: number, health: number, kind = 1): EntityRecord {
  return { id, kind, owner, pos: { q, r: 0 }, health };
}

function delta(id: number, baselineAge: number, dq: number, health?: number): EntityRecord {
  const rec: EntityRecord = { id, baselineAge };
  if (dq !== 0) rec.pos = { q: dq, r: 0 };
  if (health !== undefined) rec.health = health;
  return rec;
}

/** Feeds `p` and applies it to `world` at time `now`; returns the outcome. */
function feed(sync: DeltaSync, world: World, p: EntityPacket, now = 0) {
  const out = sync.handlePacket(p, world);
  if (out) applyToWorld(out, world, now);
  return out;
}

describe("DeltaSync", () => {
  it("builds the world from a scenario of packets and acks each batch", () => {
    const sync = new DeltaSync();
    const world = new World();
    expect(sync.takeAck()).toBeNull();

    // 1: two full records, a vision change, a resource total.
    const o1 = feed(sync, world, packet(1, [full(1, ME, 5, 100), full(2, 9, 8, 80)], [
      { eventId: 1, event: { type: "vision", hex: { q: 1, r: 1 }, state: VISIBLE } },
      { eventId: 2, event: { type: "resource", kind: 0, amount: 500 } },
    ]));
    expect(o1?.update.appeared.map((e) => e.id)).toEqual([1, 2]);
    expect(world.snapshot()).toEqual([
      { id: 1, kind: 1, owner: ME, q: 5, r: 0, health: 100 },
      { id: 2, kind: 1, owner: 9, q: 8, r: 0, health: 80 },
    ]);
    expect(world.visibility(1, 1)).toBe(VISIBLE);
    expect(world.resources.get(0)).toBe(500);
    expect(world.tick).toBe(101);
    expect(sync.takeAck()).toEqual({ newest: 1, mask: 0 });
    expect(sync.takeAck()).toBeNull();

    // 2: a delta against 1 moves unit 1 (interpolated); a command was accepted.
    const o2 = feed(sync, world, packet(2, [delta(1, 1, 1)], [{ eventId: 3, event: { type: "commandAck", seq: 5 } }]), 1000);
    expect(o2?.update.changed).toEqual([{ id: 1, pos: { q: 6, r: 0 } }]);
    expect(o2?.commands).toEqual([{ seq: 5, error: null }]);
    const moving = world.entities.get(1);
    expect(moving?.movedAt).toBe(1000);
    expect(moving && world.renderPosition(moving, 1000 + world.tickIntervalMs / 2)).toEqual({ q: 5.5, r: 0 });

    // 4 (3 comes late) and, in the same batch, a duplicate of 4: one Ack for both.
    const p4 = packet(4, [delta(1, 2, 2, 60)], [{ eventId: 4, event: { type: "disappeared", id: 2 } }]);
    const o4 = feed(sync, world, p4);
    expect(o4?.update.disappeared).toEqual([2]);
    expect(o4?.update.changed).toEqual([{ id: 1, pos: { q: 8, r: 0 }, health: 60 }]);
    expect(feed(sync, world, p4)).toBeNull();
    expect(sync.takeAck()).toEqual({ newest: 4, mask: 0b110 });
    expect(world.entities.has(2)).toBe(false);

    // 3, late: its older move and its record of the removed unit 2 do not win; the repeated
    // event is skipped, the rejection is new.
    const o3 = feed(sync, world, packet(3, [delta(1, 1, 1), full(2, 9, 9, 80)], [
      { eventId: 3, event: { type: "commandAck", seq: 5 } },
      { eventId: 5, event: { type: "commandRejected", seq: 6, error: 2 } },
    ]));
    expect(o3?.result.late).toBe(true);
    expect(o3?.update.appeared).toEqual([]);
    expect(o3?.update.changed).toEqual([]);
    expect(o3?.commands).toEqual([{ seq: 6, error: 2 }]);
    expect(o3?.update.tick).toBe(104);
    expect(world.tick).toBe(104);
    expect(world.snapshot()).toEqual([{ id: 1, kind: 1, owner: ME, q: 8, r: 0, health: 60 }]);
    expect(sync.takeAck()).toEqual({ newest: 4, mask: 0b111 });

    // 5: a delta against a packet never received is skipped; a station appears.
    const o5 = feed(sync, world, packet(5, [delta(1, 10, 5), full(3, 9, -4, 500, 2)]));
    expect(o5?.update.appeared.map((e) => e.id)).toEqual([3]);
    expect(world.entities.get(1)?.pos).toEqual({ q: 8, r: 0 });
    expect(sync.takeAck()).toEqual({ newest: 5, mask: 0b1111 });

    expect(sync.stats()).toEqual({ packets: 5, duplicates: 1, missingBaseline: 1, tooOld: 0, acks: 4 });
    expect(world.anomalies).toEqual({ unknownChanged: 0, unknownDisappeared: 0 });
  });

  it("hands combat reports over once each, with the command answers", () => {
    const sync = new DeltaSync();
    const world = new World();
    const report = { type: "combat" as const, dealt: 40, taken: 12, kills: 1, losses: 0 };
    const p1 = packet(1, [full(1, ME, 0, 100)], [
      { eventId: 1, event: report },
      { eventId: 2, event: { type: "commandRejected", seq: 3, error: 10 } },
    ]);
    const o1 = feed(sync, world, p1);
    expect(o1?.combat).toEqual([{ dealt: 40, taken: 12, kills: 1, losses: 0 }]);
    expect(o1?.commands).toEqual([{ seq: 3, error: 10 }]);
    // The event resent in a later packet (its first packet's ack was lost) is not reported again.
    const o2 = feed(sync, world, packet(2, [], [{ eventId: 1, event: report }]));
    expect(o2?.combat).toEqual([]);
  });

  it("hands job events over once each, in packet order", () => {
    const sync = new DeltaSync();
    const world = new World();
    const queued = { type: "job" as const, building: 3, job: 1, recipe: 8, state: 0 };
    const started = { type: "job" as const, building: 3, job: 1, recipe: 8, state: 1 };
    const o1 = feed(sync, world, packet(1, [full(3, ME, 0, 500, 2)], [
      { eventId: 1, event: queued },
      { eventId: 2, event: { type: "resource", kind: 0, amount: 940 } },
      { eventId: 3, event: started },
    ]));
    expect(o1?.jobs).toEqual([
      { building: 3, job: 1, recipe: 8, state: 0 },
      { building: 3, job: 1, recipe: 8, state: 1 },
    ]);
    expect(o1?.update.resources).toEqual([{ kind: 0, amount: 940 }]);
    const o2 = feed(sync, world, packet(2, [], [{ eventId: 3, event: started }]));
    expect(o2?.jobs).toEqual([]);
  });

  it("keeps the vision grants from sharing events, each applied once", () => {
    const sync = new DeltaSync();
    const world = new World();
    const sharing = (empire: number, outgoing: boolean, active: boolean) =>
      ({ type: "sharing", empire, outgoing, active }) as const;
    const o1 = feed(sync, world, packet(1, [], [
      { eventId: 1, event: sharing(5, true, true) },
      { eventId: 2, event: sharing(9, false, true) },
      { eventId: 3, event: sharing(5, false, true) },
      { eventId: 4, event: { type: "commandAck", seq: 2 } },
    ]));
    expect(o1?.sharing).toEqual([
      { empire: 5, outgoing: true, active: true },
      { empire: 9, outgoing: false, active: true },
      { empire: 5, outgoing: false, active: true },
    ]);
    expect(o1?.commands).toEqual([{ seq: 2, error: null }]);
    expect([...world.sharesTo]).toEqual([5]);
    expect([...world.sharedFrom].sort()).toEqual([5, 9]);
    // A revocation in a later packet, next to a resent (already applied) grant.
    const o2 = feed(sync, world, packet(2, [], [
      { eventId: 2, event: sharing(9, false, true) },
      { eventId: 5, event: sharing(9, false, false) },
    ]));
    expect(o2?.sharing).toEqual([{ empire: 9, outgoing: false, active: false }]);
    expect([...world.sharedFrom]).toEqual([5]);
    expect([...world.sharesTo]).toEqual([5]);
  });

  it("reports an owner change as an appearance", () => {
    const sync = new DeltaSync();
    const world = new World();
    feed(sync, world, packet(1, [full(1, 9, 0, 50)]));
    const o = feed(sync, world, packet(2, [full(1, ME, 0, 50)]));
    expect(o?.update.appeared).toEqual([{ id: 1, kind: 1, owner: ME, pos: { q: 0, r: 0 }, health: 50 }]);
    expect(o?.update.changed).toEqual([]);
    expect(world.owned(ME).map((e) => e.id)).toEqual([1]);
  });

  it("places an entity that left and came back in one packet without interpolating", () => {
    const sync = new DeltaSync();
    const world = new World();
    feed(sync, world, packet(1, [full(1, 9, 0, 50)]), 0);
    const o = feed(
      sync,
      world,
      packet(2, [full(1, 9, 4, 50)], [{ eventId: 1, event: { type: "disappeared", id: 1 } }]),
      500,
    );
    expect(o?.replaced).toEqual([1]);
    expect(o?.update.disappeared).toEqual([]);
    const e = world.entities.get(1);
    expect(e && world.renderPosition(e, 500)).toEqual({ q: 4, r: 0 });
  });

  it("dequantizes health and keeps unchanged deltas silent", () => {
    const sync = new DeltaSync();
    const world = new World();
    feed(sync, world, packet(1, [full(1, 9, 0, 9)], [], 10));
    expect(world.entities.get(1)?.health).toBe(90);
    const o = feed(sync, world, packet(2, [delta(1, 1, 0)], [{ eventId: 1, event: { type: "disappeared", id: 77 } }], 10));
    expect(o?.update).toEqual({ tick: 102, appeared: [], changed: [], disappeared: [], vision: [], resources: [] });
    expect(world.updates).toBe(2);
  });
});
