import { describe, expect, it } from "vitest";
import { Production, affordable } from "../src/production";
import { EntityKind, JobState, ResourceKind, type Recipe } from "../src/protocol";

/** The default recipes' shapes (configs/recipes.toml), ticks at 20 Hz. */
const RECIPES: Recipe[] = [
  { id: 1, name: "build_extractor", producer: EntityKind.Frigate, inputs: [{ kind: 0, amount: 100 }, { kind: 1, amount: 20 }], output: { type: "building", kind: EntityKind.Extractor }, ticks: 160 },
  { id: 2, name: "build_shipyard", producer: EntityKind.Frigate, inputs: [{ kind: 0, amount: 250 }], output: { type: "building", kind: EntityKind.Shipyard }, ticks: 300 },
  { id: 4, name: "mine_metal", producer: EntityKind.Extractor, inputs: [], output: { type: "resources", amounts: [{ kind: 1, amount: 10 }] }, ticks: 80 },
  { id: 6, name: "levy", producer: EntityKind.Station, inputs: [], output: { type: "resources", amounts: [{ kind: 0, amount: 20 }] }, ticks: 100 },
  { id: 8, name: "train_scout", producer: EntityKind.Station, inputs: [{ kind: 0, amount: 60 }], output: { type: "unit", kind: EntityKind.Scout }, ticks: 100 },
];

const STATION = 10;

function setup(): Production {
  const p = new Production();
  p.setCatalog(RECIPES);
  return p;
}

function ev(building: number, job: number, recipe: number, state: number) {
  return { building, job, recipe, state };
}

/** A queue as (job, running) pairs. */
function shape(p: Production, building: number): [number, boolean][] {
  return p.queue(building).map((j) => [j.job, j.running]);
}

describe("Production", () => {
  it("keeps the catalog in id order and splits train from build recipes by producer", () => {
    const p = new Production();
    p.setCatalog([...RECIPES].reverse());
    expect(p.catalog().map((r) => r.id)).toEqual([1, 2, 4, 6, 8]);
    expect(p.trainRecipes(EntityKind.Station).map((r) => r.name)).toEqual(["levy", "train_scout"]);
    expect(p.trainRecipes(EntityKind.Frigate)).toEqual([]);
    expect(p.buildRecipes(EntityKind.Frigate).map((r) => r.name)).toEqual(["build_extractor", "build_shipyard"]);
    expect(p.buildRecipes(EntityKind.Station)).toEqual([]);
    p.setCatalog(RECIPES.slice(0, 1));
    expect(p.catalog().map((r) => r.id)).toEqual([1]);
  });

  it("follows a job from queued through started to completed", () => {
    const p = setup();
    p.apply(ev(STATION, 1, 8, JobState.Queued), 1000, 50);
    expect(shape(p, STATION)).toEqual([[1, false]]);
    expect(p.queue(STATION)[0]?.startedAt).toBeNull();
    p.apply(ev(STATION, 1, 8, JobState.Started), 1050, 51);
    expect(p.queue(STATION)[0]).toEqual({ job: 1, recipe: 8, running: true, startedAt: 1050, startTick: 51 });
    p.apply(ev(STATION, 2, 8, JobState.Queued), 1100, 52);
    expect(shape(p, STATION)).toEqual([[1, true], [2, false]]);
    p.apply(ev(STATION, 1, 8, JobState.Completed), 6050, 151);
    p.apply(ev(STATION, 2, 8, JobState.Started), 6050, 151);
    expect(shape(p, STATION)).toEqual([[2, true]]);
    p.apply(ev(STATION, 2, 8, JobState.Completed), 11050, 251);
    expect(p.queue(STATION)).toEqual([]);
    expect(p.buildings()).toEqual([]);
    expect(p.events.map((e) => e.state)).toEqual(["queued", "started", "queued", "completed", "started", "completed"]);
  });

  it("removes cancelled and stalled jobs, and a repeating job comes back at the end", () => {
    const p = setup();
    p.apply(ev(STATION, 1, 6, JobState.Queued), 0, 1);
    p.apply(ev(STATION, 1, 6, JobState.Started), 0, 1);
    p.apply(ev(STATION, 2, 8, JobState.Queued), 0, 2);
    p.apply(ev(STATION, 3, 8, JobState.Queued), 0, 3);
    p.apply(ev(STATION, 2, 8, JobState.Cancelled), 0, 4);
    expect(shape(p, STATION)).toEqual([[1, true], [3, false]]);
    // The repeating levy completes, is queued again behind job 3, and job 3 starts.
    p.apply(ev(STATION, 1, 6, JobState.Completed), 5000, 101);
    p.apply(ev(STATION, 1, 6, JobState.Queued), 5000, 101);
    p.apply(ev(STATION, 3, 8, JobState.Started), 5000, 101);
    expect(shape(p, STATION)).toEqual([[3, true], [1, false]]);
    // Cancelling the running job: the next one starts.
    p.apply(ev(STATION, 3, 8, JobState.Cancelled), 6000, 120);
    p.apply(ev(STATION, 1, 6, JobState.Started), 6000, 120);
    expect(shape(p, STATION)).toEqual([[1, true]]);
    // Completed, and the empire cannot pay for it again: stalled, the queue is empty.
    p.apply(ev(STATION, 1, 6, JobState.Completed), 11000, 220);
    p.apply(ev(STATION, 1, 6, JobState.Stalled), 11000, 220);
    expect(p.queue(STATION)).toEqual([]);
    expect(p.unknownJobs).toBe(0);
    p.apply(ev(STATION, 9, 6, JobState.Cancelled), 12000, 240);
    expect(p.unknownJobs).toBe(1);
  });

  it("rebuilds every queue from the join greeting, and again after a reset", () => {
    const p = setup();
    const greeting = () => {
      p.apply(ev(STATION, 4, 8, JobState.Started), 500, 900);
      p.apply(ev(STATION, 5, 8, JobState.Queued), 500, 900);
      p.apply(ev(STATION, 6, 6, JobState.Queued), 500, 900);
      p.apply(ev(20, 1, 1, JobState.Started), 500, 900);
    };
    greeting();
    expect(shape(p, STATION)).toEqual([[4, true], [5, false], [6, false]]);
    expect(shape(p, 20)).toEqual([[1, true]]);
    expect(p.buildings()).toEqual([STATION, 20]);
    // A session moved to another edge: the view starts again and so does the greeting.
    p.clearQueues();
    expect(p.buildings()).toEqual([]);
    greeting();
    expect(shape(p, STATION)).toEqual([[4, true], [5, false], [6, false]]);
  });

  it("a started job runs first even if its queued event was missed", () => {
    const p = setup();
    p.apply(ev(STATION, 5, 8, JobState.Queued), 0, 1);
    p.apply(ev(STATION, 4, 8, JobState.Started), 0, 1);
    expect(shape(p, STATION)).toEqual([[4, true], [5, false]]);
    p.apply(ev(STATION, 5, 8, JobState.Started), 10, 2);
    expect(shape(p, STATION)).toEqual([[5, true], [4, false]]);
  });

  it("marks a construction site while its queue holds a building recipe, and forgets a building that disappears", () => {
    const p = setup();
    const SITE = 30;
    p.apply(ev(SITE, 1, 1, JobState.Queued), 0, 1);
    p.apply(ev(SITE, 1, 1, JobState.Started), 0, 1);
    expect(p.underConstruction(SITE)).toBe(true);
    expect(p.underConstruction(STATION)).toBe(false);
    p.apply(ev(SITE, 1, 1, JobState.Completed), 8000, 161);
    expect(p.underConstruction(SITE)).toBe(false);
    // A second site, cancelled: its entity disappears (before or after the event).
    p.apply(ev(31, 1, 2, JobState.Started), 0, 1);
    expect(p.underConstruction(31)).toBe(true);
    p.forget(31);
    expect(p.underConstruction(31)).toBe(false);
    expect(p.queue(31)).toEqual([]);
    // A destroyed building with a queue.
    p.apply(ev(STATION, 1, 8, JobState.Started), 0, 1);
    p.forget(STATION);
    expect(p.buildings()).toEqual([]);
  });

  it("measures the running job's progress by its recipe's ticks", () => {
    const p = setup();
    p.apply(ev(STATION, 1, 8, JobState.Queued), 0, 1);
    const queued = p.queue(STATION)[0]!;
    expect(p.progress(queued, 5000, 50)).toBe(0);
    p.apply(ev(STATION, 1, 8, JobState.Started), 1000, 1);
    const running = p.queue(STATION)[0]!;
    // 100 ticks of 50 ms: 5 s.
    expect(p.progress(running, 1000, 50)).toBe(0);
    expect(p.progress(running, 3500, 50)).toBeCloseTo(0.5);
    expect(p.progress(running, 9000, 50)).toBe(1);
    expect(p.progress(running, 500, 50)).toBe(0);
    expect(p.progress({ ...running, recipe: 99 }, 3500, 50)).toBe(0);
  });

  it("a stock covers a recipe's inputs or not", () => {
    const stock = new Map([[ResourceKind.Credits, 100], [ResourceKind.Metal, 10]]);
    expect(affordable(RECIPES[4]!.inputs, stock)).toBe(true);
    expect(affordable(RECIPES[0]!.inputs, stock)).toBe(false);
    expect(affordable([], new Map())).toBe(true);
  });
});
