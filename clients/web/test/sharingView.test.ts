import { describe, expect, it } from "vitest";
import { commandErrorText } from "../src/codes";
import { ENTITY_COLORS, entityColor, relationOf } from "../src/shapes";
import { foreignEmpire, sharingKey, sharingModel } from "../src/sharingView";
import { EntityKind, NEUTRAL_EMPIRE } from "../src/protocol";

const ME = 7;
const none = new Set<number>();

describe("sharingModel", () => {
  it("shows nothing before the Welcome, or with no grant and nothing to offer", () => {
    expect(sharingModel({ owner: 9 }, null, new Set([5]), none)).toBeNull();
    expect(sharingModel(null, ME, none, none)).toBeNull();
    expect(sharingModel({ owner: ME }, ME, none, none)).toBeNull();
    expect(sharingModel({ owner: NEUTRAL_EMPIRE }, ME, none, none)).toBeNull();
  });

  it("offers a share for a selected unit of another player's empire", () => {
    expect(sharingModel({ owner: 9 }, ME, none, none)).toEqual({ sharesTo: [], sharedFrom: [], offer: 9 });
    // Already shared with: no offer, its row is marked instead.
    expect(sharingModel({ owner: 9 }, ME, new Set([9]), none)).toEqual({
      sharesTo: [{ empire: 9, mutual: false, selected: true }],
      sharedFrom: [],
      offer: null,
    });
    // An empire sharing with us can still be offered ours.
    expect(sharingModel({ owner: 9 }, ME, none, new Set([9]))?.offer).toBe(9);
  });

  it("never offers a share with our own empire or the neutral one", () => {
    const grants = new Set([4]);
    expect(sharingModel({ owner: ME }, ME, grants, none)?.offer).toBeNull();
    expect(sharingModel({ owner: NEUTRAL_EMPIRE }, ME, grants, none)?.offer).toBeNull();
    expect(sharingModel(null, ME, grants, none)?.offer).toBeNull();
  });

  it("lists both directions sorted, marking mutual grants", () => {
    const m = sharingModel(null, ME, new Set([12, 3, 5]), new Set([5, 2]));
    expect(m).toEqual({
      sharesTo: [
        { empire: 3, mutual: false, selected: false },
        { empire: 5, mutual: true, selected: false },
        { empire: 12, mutual: false, selected: false },
      ],
      sharedFrom: [
        { empire: 2, mutual: false, selected: false },
        { empire: 5, mutual: true, selected: false },
      ],
      offer: null,
    });
  });

  it("changes its key with every change the panel shows", () => {
    const a = sharingModel({ owner: 9 }, ME, new Set([3]), none);
    const b = sharingModel({ owner: 9 }, ME, new Set([3, 9]), none);
    const c = sharingModel({ owner: 10 }, ME, new Set([3]), none);
    expect(sharingKey(null)).toBe("");
    expect(new Set([sharingKey(a), sharingKey(b), sharingKey(c)]).size).toBe(3);
    expect(sharingKey(a)).toBe(sharingKey(sharingModel({ owner: 9 }, ME, new Set([3]), none)));
  });

  it("names the foreign empire of a selection", () => {
    expect(foreignEmpire({ owner: 9 }, ME)).toBe(9);
    expect(foreignEmpire({ owner: ME }, ME)).toBeNull();
    expect(foreignEmpire({ owner: 0 }, ME)).toBeNull();
    expect(foreignEmpire({ owner: 9 }, null)).toBeNull();
    expect(foreignEmpire(null, ME)).toBeNull();
  });
});

describe("relations and colours", () => {
  it("tells own, ally, neutral and hostile owners apart", () => {
    const allies = new Set([5]);
    expect(relationOf(ME, ME, allies)).toBe("own");
    expect(relationOf(5, ME, allies)).toBe("ally");
    expect(relationOf(9, ME, allies)).toBe("hostile");
    expect(relationOf(NEUTRAL_EMPIRE, ME, allies)).toBe("neutral");
    // Before the Welcome nothing is ours, not even the neutral empire's.
    expect(relationOf(NEUTRAL_EMPIRE, null, allies)).toBe("neutral");
    expect(relationOf(ME, null, allies)).toBe("hostile");
  });

  it("draws allies in their own colour, fields always in theirs", () => {
    expect(entityColor(EntityKind.Frigate, "own")).toBe(ENTITY_COLORS.own);
    expect(entityColor(EntityKind.Frigate, "ally")).toBe(ENTITY_COLORS.ally);
    expect(entityColor(EntityKind.Station, "hostile")).toBe(ENTITY_COLORS.enemy);
    expect(entityColor(EntityKind.Scout, "neutral")).toBe(ENTITY_COLORS.enemy);
    expect(entityColor(EntityKind.MetalField, "ally")).toBe(ENTITY_COLORS.metalField);
    expect(entityColor(EntityKind.CrystalField, "neutral")).toBe(ENTITY_COLORS.crystalField);
    expect(new Set(Object.values(ENTITY_COLORS)).size).toBe(Object.keys(ENTITY_COLORS).length);
  });
});

describe("command error texts", () => {
  it("names the shared-vision rejections", () => {
    expect([18, 19, 20].map(commandErrorText)).toEqual(["invalid empire", "too many vision grants", "vision not shared"]);
  });
});
