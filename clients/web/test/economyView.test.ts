import { describe, expect, it } from "vitest";
import { amountsText, outputText, panelKey, panelModel } from "../src/economyView";
import { Production } from "../src/production";
import { EntityKind, JobState, type Recipe } from "../src/protocol";

const RECIPES: Recipe[] = [
  { id: 1, name: "build_extractor", producer: EntityKind.Frigate, inputs: [{ kind: 0, amount: 100 }, { kind: 1, amount: 20 }], output: { type: "building", kind: EntityKind.Extractor }, ticks: 160 },
  { id: 4, name: "mine_metal", producer: EntityKind.Extractor, inputs: [], output: { type: "resources", amounts: [{ kind: 1, amount: 10 }] }, ticks: 80 },
  { id: 6, name: "levy", producer: EntityKind.Station, inputs: [], output: { type: "resources", amounts: [{ kind: 0, amount: 20 }] }, ticks: 100 },
  { id: 8, name: "train_scout", producer: EntityKind.Station, inputs: [{ kind: 0, amount: 60 }], output: { type: "unit", kind: EntityKind.Scout }, ticks: 100 },
];
const ME = 7;
const TICK_MS = 50;

function setup() {
  const p = new Production();
  p.setCatalog(RECIPES);
  const stock = new Map([[0, 100], [1, 10], [2, 0]]);
  return { p, stock };
}

describe("economy panel model", () => {
  it("words amounts and outputs", () => {
    expect(amountsText([])).toBe("free");
    expect(amountsText(RECIPES[0]!.inputs)).toBe("100 credits, 20 metal");
    expect(outputText({ type: "resources", amounts: [{ kind: 1, amount: 10 }, { kind: 2, amount: 4 }] })).toBe("+10 metal, +4 crystal");
    expect(outputText({ type: "unit", kind: EntityKind.Scout })).toBe("scout");
    expect(outputText({ type: "building", kind: EntityKind.Shipyard })).toBe("shipyard");
  });

  it("shows an own station's queue with progress and its train recipes", () => {
    const { p, stock } = setup();
    p.apply({ building: 10, job: 1, recipe: 8, state: JobState.Started }, 1000, 5);
    p.apply({ building: 10, job: 2, recipe: 6, state: JobState.Queued }, 1000, 5);
    const m = panelModel({ id: 10, kind: EntityKind.Station, owner: ME }, ME, p, stock, null, 3500, TICK_MS);
    expect(m?.title).toBe("station #10");
    expect(m?.building).toBe(true);
    expect(m?.construction).toBe(false);
    expect(m?.queue).toEqual([
      { job: 1, recipe: 8, name: "train_scout", running: true, progress: 0.5 },
      { job: 2, recipe: 6, name: "levy", running: false, progress: 0 },
    ]);
    expect(m?.actions.map((a) => [a.type, a.name, a.inputs, a.output, a.secs, a.affordable])).toEqual([
      ["train", "levy", "free", "+20 credits", 5, true],
      ["train", "train_scout", "60 credits", "scout", 5, true],
    ]);
    // Progress alone keeps the structure (no DOM rebuild); a new job changes it.
    const later = panelModel({ id: 10, kind: EntityKind.Station, owner: ME }, ME, p, new Map(), null, 4000, TICK_MS);
    expect(later?.actions[1]?.affordable).toBe(false);
    expect(panelKey(later)).toBe(panelKey(m));
    p.apply({ building: 10, job: 3, recipe: 6, state: JobState.Queued }, 4000, 60);
    expect(panelKey(panelModel({ id: 10, kind: EntityKind.Station, owner: ME }, ME, p, stock, null, 4000, TICK_MS))).not.toBe(panelKey(m));
  });

  it("a construction site shows its construction job and trains nothing", () => {
    const { p, stock } = setup();
    p.apply({ building: 20, job: 1, recipe: 1, state: JobState.Started }, 0, 1);
    const m = panelModel({ id: 20, kind: EntityKind.Extractor, owner: ME }, ME, p, stock, null, 0, TICK_MS);
    expect(m?.construction).toBe(true);
    expect(m?.hint).toBe("under construction");
    expect(m?.queue.map((j) => j.name)).toEqual(["build_extractor"]);
    expect(m?.actions).toEqual([]);
    p.apply({ building: 20, job: 1, recipe: 1, state: JobState.Completed }, 8000, 161);
    const done = panelModel({ id: 20, kind: EntityKind.Extractor, owner: ME }, ME, p, stock, null, 8000, TICK_MS);
    expect(done?.construction).toBe(false);
    expect(done?.actions.map((a) => a.name)).toEqual(["mine_metal"]);
  });

  it("a frigate offers its building recipes and then the hint to click a hex", () => {
    const { p, stock } = setup();
    const frigate = { id: 3, kind: EntityKind.Frigate, owner: ME };
    const m = panelModel(frigate, ME, p, stock, null, 0, TICK_MS);
    expect(m?.building).toBe(false);
    expect(m?.actions).toEqual([
      { type: "build", recipe: 1, name: "build_extractor", inputs: "100 credits, 20 metal", output: "extractor", secs: 8, affordable: false, kind: EntityKind.Extractor },
    ]);
    expect(m?.hint).toBeNull();
    const pending = { unit: 3, kind: EntityKind.Extractor, recipe: 1 };
    const chosen = panelModel(frigate, ME, p, stock, pending, 0, TICK_MS);
    expect(chosen?.pending).toEqual(pending);
    expect(chosen?.hint).toBe("click a hex next to #3 to build an extractor (Esc cancels)");
    expect(panelKey(chosen)).not.toBe(panelKey(m));
  });

  it("shows nothing without a selection, for another empire's entity, or for a scout", () => {
    const { p, stock } = setup();
    expect(panelModel(null, ME, p, stock, null, 0, TICK_MS)).toBeNull();
    expect(panelModel({ id: 10, kind: EntityKind.Station, owner: 8 }, ME, p, stock, null, 0, TICK_MS)).toBeNull();
    expect(panelModel({ id: 10, kind: EntityKind.Station, owner: ME }, null, p, stock, null, 0, TICK_MS)).toBeNull();
    expect(panelModel({ id: 2, kind: EntityKind.Scout, owner: ME }, ME, p, stock, null, 0, TICK_MS)).toBeNull();
    expect(panelKey(null)).toBe("");
  });
});
