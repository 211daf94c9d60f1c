// What the economy panel shows for the selected entity (pure; economyPanel.ts draws it): an own
// building's queue (progress of the running job, a cancel per job) and one train action per
// recipe its kind makes; an own unit's build actions (one per building recipe of its kind) and,
// after one was chosen, the hint to click a hex.

import { kindName } from "./orders";
import { type Production, affordable } from "./production";
import { RESOURCE_KIND_NAMES, type RecipeOutput, type ResourceAmount, isBuildingKind } from "./protocol";

/** A Build the player chose and has not placed yet: the next click on a hex sends it. */
export interface PendingBuild {
  unit: number;
  /** The EntityKind code of the building. */
  kind: number;
  recipe: number;
}

/** One job row of the panel. */
export interface JobRow {
  job: number;
  recipe: number;
  name: string;
  running: boolean;
  /** 0..1 for the running job, 0 for a queued one. */
  progress: number;
}

/** One recipe button of the panel. */
export interface ActionRow {
  /** "train" queues the recipe in the building; "build" chooses a building to place. */
  type: "train" | "build";
  recipe: number;
  name: string;
  /** What it costs ("60 credits", "free"). */
  inputs: string;
  /** What it makes ("scout", "+20 credits", "extractor"). */
  output: string;
  /** Seconds at full efficiency. */
  secs: number;
  /** Whether the stock covers the inputs now. */
  affordable: boolean;
  /** For "build": the EntityKind code of the building. */
  kind: number | null;
}

/** The panel of one selected own entity. */
export interface PanelModel {
  entity: number;
  kind: number;
  title: string;
  /** Whether the entity is a building (it has a queue, it trains). */
  building: boolean;
  /** A construction site: it trains nothing until its construction job completes. */
  construction: boolean;
  queue: JobRow[];
  actions: ActionRow[];
  /** The build chosen and waiting for a hex, or null. */
  pending: PendingBuild | null;
  /** A line to show under the title (what to do next, or why nothing can be trained). */
  hint: string | null;
}

/** The selected entity as the panel needs it. */
export interface Selection {
  id: number;
  kind: number;
  owner: number;
}

/** "60 credits, 20 metal", or "free" for nothing. */
export function amountsText(amounts: readonly ResourceAmount[]): string {
  if (amounts.length === 0) return "free";
  return amounts.map((a) => `${a.amount} ${RESOURCE_KIND_NAMES[a.kind] ?? `resource ${a.kind}`}`).join(", ");
}

/** What a recipe makes, in words. */
export function outputText(output: RecipeOutput): string {
  switch (output.type) {
    case "resources":
      return output.amounts.length === 0 ? "nothing" : `+${amountsText(output.amounts).replace(/, /g, ", +")}`;
    case "unit":
    case "building":
      return kindName(output.kind);
  }
}

/**
 * The panel for `sel` (null: nothing selected, not ours, or an entity with nothing to offer,
 * such as a scout). `stock` is the empire's resources by kind; `now` and `tickMs` measure the
 * running job's progress.
 */
export function panelModel(
  sel: Selection | null,
  myEmpire: number | null,
  production: Production,
  stock: ReadonlyMap<number, number>,
  pending: PendingBuild | null,
  now: number,
  tickMs: number,
): PanelModel | null {
  if (!sel || myEmpire === null || sel.owner !== myEmpire) return null;
  const building = isBuildingKind(sel.kind);
  const construction = building && production.underConstruction(sel.id);
  const queue: JobRow[] = production.queue(sel.id).map((j) => ({
    job: j.job,
    recipe: j.recipe,
    name: production.recipes.get(j.recipe)?.name ?? `recipe ${j.recipe}`,
    running: j.running,
    progress: production.progress(j, now, tickMs),
  }));
  const recipes = building ? (construction ? [] : production.trainRecipes(sel.kind)) : production.buildRecipes(sel.kind);
  const actions: ActionRow[] = recipes.map((r) => ({
    type: building ? "train" : "build",
    recipe: r.id,
    name: r.name,
    inputs: amountsText(r.inputs),
    output: outputText(r.output),
    secs: Math.round((r.ticks * tickMs) / 100) / 10,
    affordable: affordable(r.inputs, stock),
    kind: r.output.type === "building" ? r.output.kind : null,
  }));
  if (!building && actions.length === 0 && queue.length === 0) return null;
  const mine = pending !== null && pending.unit === sel.id ? pending : null;
  let hint: string | null = null;
  if (mine) hint = `click a hex next to #${sel.id} to build ${article(kindName(mine.kind))} (Esc cancels)`;
  else if (construction) hint = "under construction";
  return {
    entity: sel.id,
    kind: sel.kind,
    title: `${kindName(sel.kind)} #${sel.id}`,
    building,
    construction,
    queue,
    actions,
    pending: mine,
    hint,
  };
}

/** "an extractor", "a shipyard". */
function article(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}

/**
 * The panel's structure: equal for two models that differ only in progress and affordability,
 * so the DOM is rebuilt only when this changes (a rebuild under the pointer would eat a click).
 */
export function panelKey(m: PanelModel | null): string {
  if (!m) return "";
  return JSON.stringify([
    m.entity,
    m.kind,
    m.construction,
    m.hint,
    m.queue.map((j) => [j.job, j.recipe, j.running]),
    m.actions.map((a) => [a.type, a.recipe, a.inputs]),
  ]);
}
