// The vision cache on the client (protocol/SPEC.md §20.6): World keeps LastSeen snapshots,
// drops them on Forget and when the entity is live again; DeltaSync hands the events over.
import { describe, expect, it } from "vitest";
import { DeltaSync, applyToWorld } from "../src/deltaSync";
import { EntityKind } from "../src/protocol";
import type { DeltaEvent, EntityPacket, EntityRecord, LastSeenEvent } from "../src/protocol";
import { ENTITY_COLORS, desaturate, entityColor, rememberedColor } from "../src/shapes";
import { World, type UpdateMsg } from "../src/world";

const ME = 7;

function lastSeen(id: number, ageSecs: number, q = 3, kind: number = EntityKind.Extractor, owner = 9): LastSeenEvent {
  return { id, kind, owner, pos: { q, r: -1 }, ageSecs };
}

function update(parts: Partial<Omit<UpdateMsg, "type">>): Omit<UpdateMsg, "type"> {
  return { tick: 1, appeared: [], changed: [], disappeared: [], vision: [], resources: [], ...parts };
}

function packet(seq: number, events: DeltaEvent[], entities: EntityRecord[] = [], firstEventId = seq * 10): EntityPacket {
  return {
    type: "entityPacket",
    seq,
    tick: 100 + seq,
    healthStep: 1,
    events: events.map((event, i) => ({ eventId: firstEventId + i, event })),
    entities,
  };
}

function feed(sync: DeltaSync, world: World, p: EntityPacket, now: number) {
  const out = sync.handlePacket(p, world);
  if (out) applyToWorld(out, world, now);
  return out;
}

describe("World last-seen snapshots", () => {
  it("stores a snapshot dated back by its age and replaces it with a newer one", () => {
    const w = new World();
    w.applyLastSeen(lastSeen(5, 12), 100_000);
    expect(w.lastSeen.get(5)).toEqual({ id: 5, kind: EntityKind.Extractor, owner: 9, pos: { q: 3, r: -1 }, seenAtMs: 88_000 });
    w.applyLastSeen(lastSeen(5, 0, 4), 101_000);
    expect(w.lastSeen.get(5)).toEqual({ id: 5, kind: EntityKind.Extractor, owner: 9, pos: { q: 4, r: -1 }, seenAtMs: 101_000 });
    expect(w.lastSeen.size).toBe(1);
    // Snapshots are not entities: nothing selectable or listed appears.
    expect(w.entities.size).toBe(0);
    expect(w.entitiesAt(4, -1)).toEqual([]);
  });

  it("forgets a snapshot on Forget; forgetting an unknown id changes nothing", () => {
    const w = new World();
    w.applyLastSeen(lastSeen(5, 1), 0);
    w.applyLastSeen(lastSeen(6, 1, 8, EntityKind.MetalField, 0), 0);
    w.applyForget(99);
    w.applyForget(5);
    expect([...w.lastSeen.keys()]).toEqual([6]);
  });

  it("drops a snapshot when its entity appears or changes live", () => {
    const w = new World();
    w.applyLastSeen(lastSeen(5, 1), 0);
    w.applyLastSeen(lastSeen(6, 1), 0);
    w.applyUpdate(update({ appeared: [{ id: 5, kind: EntityKind.Extractor, owner: 9, pos: { q: 3, r: -1 }, health: 50 }] }), 10);
    expect([...w.lastSeen.keys()]).toEqual([6]);
    // A LastSeen of a live entity (its Disappeared still to come) is kept but not drawn.
    w.applyLastSeen(lastSeen(5, 0), 20);
    expect(w.rememberedEntities().map((s) => s.id)).toEqual([6]);
    w.applyUpdate(update({ disappeared: [5] }), 30);
    expect(w.rememberedEntities().map((s) => s.id)).toEqual([5, 6]);
    // A change of a live entity also replaces its memory.
    w.applyUpdate(update({ appeared: [{ id: 6, kind: 3, owner: 9, pos: { q: 3, r: -1 }, health: 50 }] }), 40);
    w.applyLastSeen(lastSeen(6, 0), 50);
    w.applyUpdate(update({ changed: [{ id: 6, health: 40 }] }), 60);
    expect([...w.lastSeen.keys()]).toEqual([5]);
  });

  it("clears the snapshots with the view (a moved session is greeted again)", () => {
    const w = new World();
    w.applyLastSeen(lastSeen(5, 1), 0);
    w.clearView();
    expect(w.lastSeen.size).toBe(0);
    expect(w.rememberedEntities()).toEqual([]);
  });
});

describe("DeltaSync vision cache events", () => {
  it("hands LastSeen and Forget over once each, in packet order, and applies them", () => {
    const sync = new DeltaSync();
    const world = new World();
    const o1 = feed(sync, world, packet(1, [
      { type: "lastSeen", ...lastSeen(5, 30) },
      { type: "lastSeen", ...lastSeen(6, 0, 1, EntityKind.CrystalField, 0) },
      { type: "forget", id: 6 },
    ]), 50_000);
    expect(o1?.memory).toEqual([
      { type: "lastSeen", ...lastSeen(5, 30) },
      { type: "lastSeen", ...lastSeen(6, 0, 1, EntityKind.CrystalField, 0) },
      { type: "forget", id: 6 },
    ]);
    expect([...world.lastSeen.values()]).toEqual([
      { id: 5, kind: EntityKind.Extractor, owner: 9, pos: { q: 3, r: -1 }, seenAtMs: 20_000 },
    ]);
    // Resent events (same ids) are not applied again: the snapshot keeps its first date.
    const o2 = feed(sync, world, packet(2, [{ type: "lastSeen", ...lastSeen(5, 31) }], [], 10), 51_000);
    expect(o2?.memory).toEqual([]);
    expect(world.lastSeen.get(5)?.seenAtMs).toBe(20_000);
  });

  it("lets a record of the entity replace its memory, even in the packet of the LastSeen", () => {
    const sync = new DeltaSync();
    const world = new World();
    feed(sync, world, packet(1, [{ type: "lastSeen", ...lastSeen(5, 3) }, { type: "lastSeen", ...lastSeen(8, 3) }]), 0);
    expect([...world.lastSeen.keys()].sort()).toEqual([5, 8]);
    // Events go before records: the building back in view drops its snapshot.
    const rec: EntityRecord = { id: 5, kind: EntityKind.Extractor, owner: ME, pos: { q: 3, r: -1 }, health: 80 };
    feed(sync, world, packet(2, [{ type: "lastSeen", ...lastSeen(5, 4) }], [rec]), 1000);
    expect([...world.lastSeen.keys()]).toEqual([8]);
    expect(world.entities.get(5)?.owner).toBe(ME);
    // It leaves the view again and is remembered again.
    feed(sync, world, packet(3, [{ type: "disappeared", id: 5 }, { type: "lastSeen", ...lastSeen(5, 0) }]), 2000);
    expect(world.entities.has(5)).toBe(false);
    expect(world.rememberedEntities().map((s) => [s.id, s.seenAtMs])).toEqual([
      [5, 2000],
      [8, -3000],
    ]);
  });
});

describe("remembered entity colour", () => {
  it("greys a colour towards its own luminance", () => {
    expect(desaturate("#ff0000", 1)).toBe("#ff0000");
    expect(desaturate("#ff0000", 0)).toBe("#4c4c4c");
    expect(desaturate("#808080", 0.3)).toBe("#808080");
    expect(desaturate("red", 0.5)).toBe("red");
  });

  it("keeps each kind's hue apart but duller than the live colour", () => {
    const live = entityColor(EntityKind.Extractor, "hostile");
    expect(live).toBe(ENTITY_COLORS.enemy);
    const faded = rememberedColor(EntityKind.Extractor, "hostile");
    expect(faded).toMatch(/^#[0-9a-f]{6}$/);
    expect(faded).not.toBe(live);
    const spread = (c: string) => {
      const v = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
      return Math.max(...v) - Math.min(...v);
    };
    expect(spread(faded)).toBeLessThan(spread(live));
    expect(rememberedColor(EntityKind.Extractor, "own")).not.toBe(faded);
  });
});
