import { describe, expect, it } from "vitest";
import { Camera } from "../src/camera";
import { Input, pickForeignUnit, pickOwnCycling, pickOwnUnit } from "../src/input";
import { EntityKind } from "../src/protocol";
import { World } from "../src/world";

function setup() {
  const world = new World();
  world.setTickRate(20);
  world.applyUpdate(
    {
      tick: 1,
      appeared: [
        { id: 1, kind: 0, owner: 7, pos: { q: 0, r: 0 }, health: 100 },
        { id: 2, kind: 1, owner: 8, pos: { q: 2, r: 0 }, health: 100 },
        { id: 3, kind: 1, owner: 7, pos: { q: 4, r: 0 }, health: 100 },
      ],
      changed: [],
      disappeared: [],
      vision: [],
      resources: [],
    },
    0,
  );
  const camera = new Camera();
  camera.resize(800, 600);
  return { world, camera };
}

describe("pickOwnUnit", () => {
  it("picks the own unit under the cursor and ignores others' units", () => {
    const { world, camera } = setup();
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    expect(pickOwnUnit(world, camera, 7, at(0, 0).x, at(0, 0).y, 100)?.id).toBe(1);
    expect(pickOwnUnit(world, camera, 7, at(4, 0).x + 3, at(4, 0).y - 3, 100)?.id).toBe(3);
    expect(pickOwnUnit(world, camera, 7, at(2, 0).x, at(2, 0).y, 100)).toBeNull();
    expect(pickOwnUnit(world, camera, 8, at(2, 0).x, at(2, 0).y, 100)?.id).toBe(2);
    expect(pickOwnUnit(world, camera, null, at(0, 0).x, at(0, 0).y, 100)).toBeNull();
  });

  it("finds a moving unit both where it is drawn and on its new hex", () => {
    const { world, camera } = setup();
    world.applyUpdate(
      { tick: 2, appeared: [], changed: [{ id: 1, pos: { q: 0, r: 3 } }], disappeared: [], vision: [], resources: [] },
      1000,
    );
    const drawn = camera.hexToScreen(0, 0); // at t=1000 it is still drawn at the start
    expect(pickOwnUnit(world, camera, 7, drawn.x, drawn.y, 1000)?.id).toBe(1);
    const dest = camera.hexToScreen(0, 3);
    expect(pickOwnUnit(world, camera, 7, dest.x, dest.y, 1000)?.id).toBe(1);
  });
});

describe("pickForeignUnit", () => {
  it("picks another empire's unit under the cursor, never an own one", () => {
    const { world, camera } = setup();
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    expect(pickForeignUnit(world, camera, 7, at(2, 0).x, at(2, 0).y, 100)?.id).toBe(2);
    expect(pickForeignUnit(world, camera, 7, at(0, 0).x, at(0, 0).y, 100)).toBeNull();
    expect(pickForeignUnit(world, camera, 8, at(0, 0).x, at(0, 0).y, 100)?.id).toBe(1);
    expect(pickForeignUnit(world, camera, null, at(2, 0).x, at(2, 0).y, 100)).toBeNull();
  });

  it("never picks a resource field", () => {
    const { world, camera } = setup();
    addEntities(world, [
      { id: 5, kind: EntityKind.MetalField, owner: 0, q: 0, r: 3 },
      { id: 6, kind: EntityKind.CrystalField, owner: 0, q: 0, r: 4 },
      { id: 7, kind: EntityKind.Scout, owner: 0, q: 0, r: 5 },
    ]);
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    expect(pickForeignUnit(world, camera, 7, at(0, 3).x, at(0, 3).y, 100)).toBeNull();
    expect(pickForeignUnit(world, camera, 7, at(0, 4).x, at(0, 4).y, 100)).toBeNull();
    expect(pickForeignUnit(world, camera, 7, at(0, 5).x, at(0, 5).y, 100)?.id).toBe(7);
  });
});

/** Adds entities (at tick 2, time 0) to `world`. */
function addEntities(world: World, list: { id: number; kind: number; owner: number; q: number; r: number }[]): void {
  world.applyUpdate(
    {
      tick: 2,
      appeared: list.map((e) => ({ id: e.id, kind: e.kind, owner: e.owner, pos: { q: e.q, r: e.r }, health: 100 })),
      changed: [],
      disappeared: [],
      vision: [],
      resources: [],
    },
    0,
  );
}

describe("pickOwnCycling", () => {
  it("alternates between a unit and the station it stands on, the unit first", () => {
    const { world, camera } = setup();
    addEntities(world, [
      { id: 10, kind: EntityKind.Station, owner: 7, q: 0, r: 0 },
      { id: 11, kind: EntityKind.Scout, owner: 7, q: 0, r: 0 },
    ]);
    const p = camera.hexToScreen(0, 0);
    const pick = (current: number | null) => pickOwnCycling(world, camera, 7, p.x, p.y, 100, current)?.id;
    expect(pick(null)).toBe(1);
    expect(pick(1)).toBe(11);
    expect(pick(11)).toBe(10);
    expect(pick(10)).toBe(1);
    // A selection elsewhere starts again at the first.
    expect(pick(3)).toBe(1);
  });
});

describe("Input orders", () => {
  function input() {
    const { world, camera } = setup();
    const sent: string[] = [];
    const listeners: Record<string, (ev: unknown) => void> = {};
    const canvas = {
      addEventListener: (type: string, f: (ev: unknown) => void) => (listeners[type] = f),
    } as unknown as HTMLCanvasElement;
    const g = globalThis as unknown as { window?: unknown };
    const hadWindow = g.window !== undefined;
    if (!hadWindow) g.window = { addEventListener: () => undefined };
    const inp = new Input(canvas, {
      world,
      camera,
      myEmpire: () => 7,
      sendMove: (unit, to) => sent.push(`move ${unit} ${to.q},${to.r}`) > 0,
      sendAttack: (unit, target) => sent.push(`attack ${unit} ${target}`) > 0,
      sendStop: (unit) => sent.push(`stop ${unit}`) > 0,
      sendBuild: (unit, kind, at) => sent.push(`build ${unit} ${kind} ${at.q},${at.r}`) > 0,
      now: () => 100,
    });
    if (!hadWindow) delete g.window;
    return { world, camera, inp, sent };
  }

  it("a click on a foreign unit attacks it, on a hex moves there, and stop ends both", () => {
    const { camera, inp, sent } = input();
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    inp.click(at(0, 0).x, at(0, 0).y);
    expect(inp.selected).toBe(1);
    inp.click(at(2, 0).x, at(2, 0).y);
    expect(inp.attackTarget).toBe(2);
    inp.click(at(0, 5).x, at(0, 5).y);
    expect(inp.attackTarget).toBeNull();
    expect(inp.moveTarget).toEqual({ q: 0, r: 5 });
    inp.stop();
    expect(inp.moveTarget).toBeNull();
    expect(sent).toEqual(["attack 1 2", "move 1 0,5", "stop 1"]);
  });

  it("a click on a resource field moves there instead of attacking it", () => {
    const { world, camera, inp, sent } = input();
    addEntities(world, [{ id: 5, kind: EntityKind.MetalField, owner: 0, q: 0, r: 3 }]);
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    inp.click(at(0, 0).x, at(0, 0).y);
    inp.click(at(0, 3).x, at(0, 3).y);
    expect(sent).toEqual(["move 1 0,3"]);
    expect(inp.attackTarget).toBeNull();
  });

  it("a chosen build goes to the next clicked hex; Escape drops it, then the selection", () => {
    const { camera, inp, sent } = input();
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    inp.click(at(4, 0).x, at(4, 0).y);
    expect(inp.selected).toBe(3);
    // Only for the selected unit.
    inp.startBuild({ unit: 1, kind: EntityKind.Shipyard, recipe: 2 });
    expect(inp.pendingBuild).toBeNull();
    inp.startBuild({ unit: 3, kind: EntityKind.Shipyard, recipe: 2 });
    inp.escape();
    expect(inp.pendingBuild).toBeNull();
    expect(inp.selected).toBe(3);
    inp.startBuild({ unit: 3, kind: EntityKind.Extractor, recipe: 1 });
    // Even a click on a unit places the build (the region judges the site).
    inp.click(at(0, 0).x, at(0, 0).y);
    expect(sent).toEqual(["build 3 3 0,0"]);
    expect(inp.pendingBuild).toBeNull();
    expect(inp.selected).toBe(3);
    inp.startBuild({ unit: 3, kind: EntityKind.Extractor, recipe: 1 });
    inp.select(1);
    expect(inp.pendingBuild).toBeNull();
    inp.escape();
    expect(inp.selected).toBeNull();
  });

  it("a click on another empire's unit selects it when no own ship is selected; it takes no orders", () => {
    const { world, camera, inp, sent } = input();
    addEntities(world, [{ id: 10, kind: EntityKind.Station, owner: 7, q: 0, r: 6 }]);
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    inp.click(at(2, 0).x, at(2, 0).y);
    expect(inp.selected).toBe(2);
    // With a foreign unit selected a click on a hex moves nothing; S stops nothing.
    inp.stop();
    inp.click(at(0, 5).x, at(0, 5).y);
    expect(inp.selected).toBeNull();
    // From a selected building, too.
    inp.click(at(0, 6).x, at(0, 6).y);
    expect(inp.selected).toBe(10);
    inp.click(at(2, 0).x, at(2, 0).y);
    expect(inp.selected).toBe(2);
    // A click on an own unit selects it again, which then attacks.
    inp.click(at(0, 0).x, at(0, 0).y);
    inp.click(at(2, 0).x, at(2, 0).y);
    expect(inp.selected).toBe(1);
    expect(sent).toEqual(["attack 1 2"]);
  });

  it("a selected building takes no orders: a click elsewhere deselects it", () => {
    const { world, camera, inp, sent } = input();
    addEntities(world, [{ id: 10, kind: EntityKind.Station, owner: 7, q: 0, r: 6 }]);
    const at = (q: number, r: number) => camera.hexToScreen(q, r);
    inp.click(at(0, 6).x, at(0, 6).y);
    expect(inp.selected).toBe(10);
    inp.click(at(2, 0).x, at(2, 0).y);
    inp.click(at(1, 6).x, at(1, 6).y);
    expect(sent).toEqual([]);
    expect(inp.selected).toBeNull();
  });
});
