import { describe, expect, it } from "vitest";
import { discSize } from "../src/hex";
import { FOG, SHROUD, VISIBLE, World, type UpdateMsg } from "../src/world";

/** An update with only the given parts. */
function update(parts: Partial<Omit<UpdateMsg, "type">>): Omit<UpdateMsg, "type"> {
  return { tick: 1, appeared: [], changed: [], disappeared: [], vision: [], resources: [], ...parts };
}

function scout(id: number, owner: number, q: number, r: number) {
  return { id, kind: 0, owner, pos: { q, r }, health: 100 };
}

describe("map", () => {
  it("builds the pocket as the union of chunk discs, without duplicates", () => {
    const w = new World();
    // Seven chunks of radius 2 laid out as a flower (centers 5 apart do not overlap).
    const chunks = [
      { q: 0, r: 0 },
      { q: 5, r: 0 },
      { q: -5, r: 0 },
      { q: 0, r: 5 },
      { q: 0, r: -5 },
      { q: 5, r: -5 },
      { q: -5, r: 5 },
    ];
    w.applyMap({ chunkRadius: 2, chunks, blocked: [{ q: 1, r: 0 }] });
    expect(w.mapHexes).toHaveLength(7 * discSize(2));
    expect(w.isOnMap(5, 2)).toBe(true); // 2 steps from the chunk at (5, 0)
    expect(w.isOnMap(5, 3)).toBe(false); // 3 steps from (5, 0), 3 from (0, 5): outside every disc
    expect(w.isBlocked(1, 0)).toBe(true);
  });

  it("dedupes hexes of overlapping chunks and knows blocked hexes", () => {
    const w = new World();
    w.applyMap({
      chunkRadius: 1,
      chunks: [
        { q: 0, r: 0 },
        { q: 1, r: 0 },
      ],
      blocked: [{ q: 2, r: 0 }],
    });
    // Two radius-1 discs whose centers are neighbours share 4 hexes: 7 + 7 - 4.
    expect(w.mapHexes).toHaveLength(10);
    expect(w.isOnMap(2, 0)).toBe(true);
    expect(w.isOnMap(3, 0)).toBe(false);
    expect(w.isBlocked(2, 0)).toBe(true);
    expect(w.isBlocked(0, 0)).toBe(false);
    expect(w.blockedCount).toBe(1);
  });

  it("replaces the previous map", () => {
    const w = new World();
    w.applyMap({ chunkRadius: 3, chunks: [{ q: 0, r: 0 }], blocked: [{ q: 1, r: 1 }] });
    w.applyMap({ chunkRadius: 1, chunks: [{ q: 10, r: 10 }], blocked: [] });
    expect(w.mapHexes).toHaveLength(7);
    expect(w.isOnMap(0, 0)).toBe(false);
    expect(w.isBlocked(1, 1)).toBe(false);
  });
});

describe("visibility", () => {
  it("is shroud by default and follows vision changes", () => {
    const w = new World();
    expect(w.visibility(3, 4)).toBe(SHROUD);
    const rev = w.mapRevision;
    w.applyUpdate(
      update({
        vision: [
          { hex: { q: 3, r: 4 }, state: 2 },
          { hex: { q: 0, r: 0 }, state: 1 },
        ],
      }),
      0,
    );
    expect(w.visibility(3, 4)).toBe(VISIBLE);
    expect(w.visibility(0, 0)).toBe(FOG);
    expect(w.mapRevision).toBeGreaterThan(rev);
    w.applyUpdate(update({ vision: [{ hex: { q: 3, r: 4 }, state: 1 }] }), 0);
    expect(w.visibility(3, 4)).toBe(FOG);
    w.applyUpdate(update({ vision: [{ hex: { q: 3, r: 4 }, state: 0 }] }), 0);
    expect(w.visibility(3, 4)).toBe(SHROUD);
  });
});

describe("entities", () => {
  it("adds appeared, changes changed and removes disappeared entities", () => {
    const w = new World();
    w.applyUpdate(update({ tick: 5, appeared: [scout(1, 7, 0, 0), scout(2, 8, 3, -1)] }), 0);
    expect(w.tick).toBe(5);
    expect(w.snapshot()).toEqual([
      { id: 1, kind: 0, owner: 7, q: 0, r: 0, health: 100 },
      { id: 2, kind: 0, owner: 8, q: 3, r: -1, health: 100 },
    ]);
    w.applyUpdate(update({ tick: 6, changed: [{ id: 1, pos: { q: 1, r: 0 } }, { id: 2, health: 40 }] }), 50);
    expect(w.entities.get(1)?.pos).toEqual({ q: 1, r: 0 });
    expect(w.entities.get(1)?.health).toBe(100);
    expect(w.entities.get(2)?.pos).toEqual({ q: 3, r: -1 });
    expect(w.entities.get(2)?.health).toBe(40);
    w.applyUpdate(update({ tick: 7, disappeared: [2] }), 100);
    expect(w.snapshot().map((e) => e.id)).toEqual([1]);
    expect(w.tick).toBe(7);
    expect(w.updates).toBe(3);
  });

  it("tolerates changes and removals of unknown entities, counting them", () => {
    const w = new World();
    w.applyUpdate(update({ changed: [{ id: 9, pos: { q: 1, r: 1 } }], disappeared: [10] }), 0);
    expect(w.entities.size).toBe(0);
    expect(w.anomalies).toEqual({ unknownChanged: 1, unknownDisappeared: 1 });
  });

  it("treats a repeated appearance as an update of the same entity", () => {
    const w = new World();
    w.applyUpdate(update({ appeared: [scout(1, 7, 0, 0)] }), 0);
    w.applyUpdate(update({ appeared: [{ id: 1, kind: 1, owner: 7, pos: { q: 2, r: 0 }, health: 60 }] }), 10);
    expect(w.entities.size).toBe(1);
    expect(w.snapshot()[0]).toEqual({ id: 1, kind: 1, owner: 7, q: 2, r: 0, health: 60 });
  });

  it("lists own entities and entities on a hex", () => {
    const w = new World();
    w.applyUpdate(update({ appeared: [scout(1, 7, 0, 0), scout(2, 8, 0, 0), scout(3, 7, 4, 4)] }), 0);
    expect(w.owned(7).map((e) => e.id).sort()).toEqual([1, 3]);
    expect(w.entitiesAt(0, 0).map((e) => e.id).sort()).toEqual([1, 2]);
    expect(w.entitiesAt(9, 9)).toEqual([]);
  });

  it("applies resources", () => {
    const w = new World();
    w.applyUpdate(update({ resources: [{ kind: 0, amount: 500 }, { kind: 1, amount: 20 }] }), 0);
    w.applyUpdate(update({ resources: [{ kind: 1, amount: 25 }] }), 0);
    expect(w.resources.get(0)).toBe(500);
    expect(w.resources.get(1)).toBe(25);
  });
});

describe("interpolation", () => {
  it("lerps from the previous to the new position over one tick", () => {
    const w = new World();
    w.setTickRate(20); // 50 ms
    expect(w.tickIntervalMs).toBe(50);
    w.applyUpdate(update({ appeared: [scout(1, 7, 0, 0)] }), 1000);
    const e = w.entities.get(1)!;
    expect(w.renderPosition(e, 1000)).toEqual({ q: 0, r: 0 });
    w.applyUpdate(update({ changed: [{ id: 1, pos: { q: 2, r: -2 } }] }), 2000);
    expect(e.movedAt).toBe(2000);
    expect(w.renderPosition(e, 2000)).toEqual({ q: 0, r: 0 });
    const mid = w.renderPosition(e, 2025);
    expect(mid.q).toBeCloseTo(1);
    expect(mid.r).toBeCloseTo(-1);
    expect(w.renderPosition(e, 2050)).toEqual({ q: 2, r: -2 });
    expect(w.renderPosition(e, 9999)).toEqual({ q: 2, r: -2 });
    // Before the change (clock skew) it stays at the start.
    expect(w.renderPosition(e, 1990)).toEqual({ q: 0, r: 0 });
  });

  it("continues from the drawn position when a change arrives mid-interpolation", () => {
    const w = new World();
    w.setTickRate(10); // 100 ms
    w.applyUpdate(update({ appeared: [scout(1, 7, 0, 0)] }), 0);
    w.applyUpdate(update({ changed: [{ id: 1, pos: { q: 1, r: 0 } }] }), 1000);
    // Halfway (q = 0.5) the next position arrives.
    w.applyUpdate(update({ changed: [{ id: 1, pos: { q: 2, r: 0 } }] }), 1050);
    const e = w.entities.get(1)!;
    expect(e.from.q).toBeCloseTo(0.5);
    expect(w.renderPosition(e, 1050).q).toBeCloseTo(0.5);
    expect(w.renderPosition(e, 1100).q).toBeCloseTo(1.25);
    expect(w.renderPosition(e, 1150)).toEqual({ q: 2, r: 0 });
  });

  it("does not restart interpolation when the position did not change", () => {
    const w = new World();
    w.applyUpdate(update({ appeared: [scout(1, 7, 0, 0)] }), 0);
    w.applyUpdate(update({ changed: [{ id: 1, pos: { q: 0, r: 0 }, health: 5 }] }), 500);
    expect(w.entities.get(1)!.movedAt).toBe(0);
    expect(w.entities.get(1)!.seenAt).toBe(500);
  });

  it("keeps the empires it shares vision with and those sharing with it", () => {
    const w = new World();
    expect(w.sharesTo.size + w.sharedFrom.size).toBe(0);
    w.applySharing({ empire: 5, outgoing: true, active: true });
    w.applySharing({ empire: 6, outgoing: false, active: true });
    w.applySharing({ empire: 5, outgoing: false, active: true });
    // A repeated grant changes nothing.
    w.applySharing({ empire: 5, outgoing: true, active: true });
    expect([...w.sharesTo]).toEqual([5]);
    expect([...w.sharedFrom].sort()).toEqual([5, 6]);
    // A revocation removes only its own direction; one of a grant not held changes nothing.
    w.applySharing({ empire: 5, outgoing: true, active: false });
    w.applySharing({ empire: 8, outgoing: false, active: false });
    expect([...w.sharesTo]).toEqual([]);
    expect([...w.sharedFrom].sort()).toEqual([5, 6]);
    // A session that moves gets every grant again: the view forgets them.
    w.applySharing({ empire: 7, outgoing: true, active: true });
    w.clearView();
    expect(w.sharesTo.size + w.sharedFrom.size).toBe(0);
  });

  it("falls back to a 50 ms tick for a nonsensical tick rate", () => {
    const w = new World();
    w.setTickRate(0);
    expect(w.tickIntervalMs).toBe(50);
  });
});
