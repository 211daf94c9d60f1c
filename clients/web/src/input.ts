// Mouse and keyboard input: drag pans, wheel zooms, a click on an own unit or
// building selects it (clicking again where several stand selects the next); with a
// unit selected, a click on another empire's unit orders an attack on it (never on a
// resource field), a click on a hex a move there, and the S key a stop. With nothing, a
// building or a foreign entity selected, a click on another empire's unit selects it (to
// look at it, or share vision with its empire). With a build chosen in the economy panel,
// the next click on a hex sends the Build there; Escape drops the chosen build, or else
// the selection.

import type { Camera } from "./camera";
import type { PendingBuild } from "./economyView";
import type { AxialHex } from "./hex";
import { depositOf, isBuildingKind } from "./protocol";
import type { TrackedEntity, World } from "./world";

/** A press that moves less than this many CSS pixels is a click, not a drag. */
const CLICK_SLOP_PX = 5;

/** What input needs from the rest of the client. */
export interface InputDeps {
  world: World;
  camera: Camera;
  /** Our empire id, or null before welcome. */
  myEmpire(): number | null;
  /** Orders `unit` to move to `to`; returns whether the command was sent. */
  sendMove(unit: number, to: AxialHex): boolean;
  /** Orders `unit` to attack `target`; returns whether the command was sent. */
  sendAttack(unit: number, target: number): boolean;
  /** Orders `unit` to stop; returns whether the command was sent. */
  sendStop(unit: number): boolean;
  /** Orders `unit` to build a building of `kind` at `at`; returns whether the command was sent. */
  sendBuild(unit: number, kind: number, at: AxialHex): boolean;
  /** Clock shared with the world (ms). */
  now(): number;
}

/**
 * The own unit under screen point (x, y): the nearest one whose drawn
 * (interpolated) position is within grab distance, else one whose latest
 * position is the clicked hex.
 */
export function pickOwnUnit(
  world: World,
  camera: Camera,
  myEmpire: number | null,
  x: number,
  y: number,
  now: number,
): TrackedEntity | null {
  return pickOwnCycling(world, camera, myEmpire, x, y, now, null);
}

/** How near (CSS px) a click must be to an entity's drawn centre to pick it: less than a hex's
 * inner radius (0.87 size), so a click never grabs a neighbour's unit. */
function grabDistance(camera: Camera): number {
  return Math.max(4, camera.zoom * 0.8);
}

/**
 * Of `entities`, the one drawn nearest to screen point (x, y) within grab distance: less
 * than a hex's inner radius (0.87 size), so a click never grabs a neighbour's unit.
 */
function nearestDrawn(
  world: World,
  camera: Camera,
  entities: Iterable<TrackedEntity>,
  x: number,
  y: number,
  now: number,
): TrackedEntity | null {
  const grab = grabDistance(camera);
  let best: TrackedEntity | null = null;
  let bestDist = Infinity;
  for (const e of entities) {
    const p = world.renderPosition(e, now);
    const s = camera.hexToScreen(p.q, p.r);
    const d = Math.hypot(s.x - x, s.y - y);
    if (d <= grab && d < bestDist) {
      best = e;
      bestDist = d;
    }
  }
  return best;
}

/**
 * The own entity a click at (x, y) selects when `current` is selected: of those drawn within
 * grab distance (else standing on the clicked hex), nearest first, units before buildings,
 * the one after `current` (so clicks on a unit standing on a station alternate between them).
 */
export function pickOwnCycling(
  world: World,
  camera: Camera,
  myEmpire: number | null,
  x: number,
  y: number,
  now: number,
  current: number | null,
): TrackedEntity | null {
  if (myEmpire === null) return null;
  const own = world.owned(myEmpire);
  const grab = grabDistance(camera);
  const h = camera.screenToHex(x, y);
  const near: { e: TrackedEntity; d: number }[] = [];
  for (const e of own) {
    const p = world.renderPosition(e, now);
    const s = camera.hexToScreen(p.q, p.r);
    const d = Math.hypot(s.x - x, s.y - y);
    if (d <= grab || (e.pos.q === h.q && e.pos.r === h.r)) near.push({ e, d: Math.round(d) });
  }
  if (near.length === 0) return null;
  const rank = (e: TrackedEntity) => (isBuildingKind(e.kind) ? 1 : 0);
  near.sort((a, b) => a.d - b.d || rank(a.e) - rank(b.e) || a.e.id - b.e.id);
  const at = near.findIndex((n) => n.e.id === current);
  return near[(at + 1) % near.length]!.e;
}

/**
 * Another empire's unit under screen point (x, y) (neutral pirates included, resource fields
 * never): the nearest whose drawn position is within grab distance.
 */
export function pickForeignUnit(
  world: World,
  camera: Camera,
  myEmpire: number | null,
  x: number,
  y: number,
  now: number,
): TrackedEntity | null {
  if (myEmpire === null) return null;
  const foreign = [...world.entities.values()].filter((e) => e.owner !== myEmpire && depositOf(e.kind) === null);
  return nearestDrawn(world, camera, foreign, x, y, now);
}

/** Selection and pointer handling on the game canvas. */
export class Input {
  /** Selected entity: an own unit or building, or another empire's unit (which takes no orders). */
  selected: number | null = null;
  /** Hex under the mouse. */
  hover: AxialHex | null = null;
  /** Destination of the selected unit's last move order. */
  moveTarget: AxialHex | null = null;
  /** Target of the selected unit's last attack order. */
  attackTarget: number | null = null;
  /** The build chosen for the selected unit: the next click on a hex sends it. */
  pendingBuild: PendingBuild | null = null;

  private press: { id: number; x: number; y: number; lastX: number; lastY: number; dragging: boolean } | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly deps: InputDeps,
  ) {
    canvas.addEventListener("pointerdown", (ev) => this.onDown(ev));
    canvas.addEventListener("pointermove", (ev) => this.onMove(ev));
    canvas.addEventListener("pointerup", (ev) => this.onUp(ev));
    canvas.addEventListener("pointercancel", () => (this.press = null));
    canvas.addEventListener("pointerleave", () => (this.hover = null));
    canvas.addEventListener("wheel", (ev) => this.onWheel(ev), { passive: false });
    canvas.addEventListener("contextmenu", (ev) => ev.preventDefault());
    window.addEventListener("keydown", (ev) => {
      // Keys typed into a field (the chat, the alliance forms) are text, not orders.
      if (isTextField(ev.target)) return;
      if (ev.key === "Escape") this.escape();
      if (ev.key === "s" || ev.key === "S") this.stop();
    });
  }

  /** Handles a click at canvas point (x, y) in CSS pixels. */
  click(x: number, y: number): void {
    const { world, camera } = this.deps;
    const now = this.deps.now();
    const build = this.pendingBuild;
    if (build) {
      const at = camera.screenToHex(x, y);
      if (this.deps.sendBuild(build.unit, build.kind, at)) this.pendingBuild = null;
      return;
    }
    const myEmpire = this.deps.myEmpire();
    const own = pickOwnCycling(world, camera, myEmpire, x, y, now, this.selected);
    if (own) {
      this.select(own.id);
      return;
    }
    const foe = pickForeignUnit(world, camera, myEmpire, x, y, now);
    const sel = this.selected === null ? undefined : world.entities.get(this.selected);
    // Only an own ship takes move and attack orders. Otherwise (nothing, a building or a
    // foreign entity selected) a click selects the foreign unit under it, or nothing.
    if (this.selected === null || !sel || sel.owner !== myEmpire || isBuildingKind(sel.kind)) {
      this.select(foe?.id ?? null);
      return;
    }
    if (foe) {
      if (this.deps.sendAttack(this.selected, foe.id)) {
        this.attackTarget = foe.id;
        this.moveTarget = null;
      }
      return;
    }
    const to = camera.screenToHex(x, y);
    if (this.deps.sendMove(this.selected, to)) {
      this.moveTarget = to;
      this.attackTarget = null;
    }
  }

  /** Orders the selected unit to stop (only an own one takes orders). */
  stop(): void {
    if (this.selected === null) return;
    if (this.deps.world.entities.get(this.selected)?.owner !== this.deps.myEmpire()) return;
    if (this.deps.sendStop(this.selected)) {
      this.moveTarget = null;
      this.attackTarget = null;
    }
  }

  /** Selects a unit (or clears the selection with null). */
  select(id: number | null): void {
    if (id !== this.selected) {
      this.moveTarget = null;
      this.attackTarget = null;
      this.pendingBuild = null;
    }
    this.selected = id;
  }

  /** Chooses a build for the selected unit `unit`: the next click on a hex places it. */
  startBuild(build: PendingBuild): void {
    if (build.unit !== this.selected) return;
    this.pendingBuild = { ...build };
  }

  /** Escape: drops the chosen build, or else the selection. */
  escape(): void {
    if (this.pendingBuild) this.pendingBuild = null;
    else this.select(null);
  }

  /** Drops selection and target that no longer make sense; call once per frame. */
  refresh(): void {
    if (this.selected === null) return;
    const e = this.deps.world.entities.get(this.selected);
    if (!e) {
      this.select(null);
      return;
    }
    const t = this.moveTarget;
    if (t && e.pos.q === t.q && e.pos.r === t.r) this.moveTarget = null;
    if (this.attackTarget !== null && !this.deps.world.entities.has(this.attackTarget)) this.attackTarget = null;
  }

  private point(ev: MouseEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return { x: ev.clientX - rect.left, y: ev.clientY - rect.top };
  }

  private onDown(ev: PointerEvent): void {
    if (ev.button !== 0 && ev.button !== 1) return;
    const p = this.point(ev);
    this.press = { id: ev.pointerId, x: p.x, y: p.y, lastX: p.x, lastY: p.y, dragging: ev.button === 1 };
    try {
      this.canvas.setPointerCapture(ev.pointerId);
    } catch {
      // Synthetic events may not be capturable; dragging still works inside the canvas.
    }
  }

  private onMove(ev: PointerEvent): void {
    const p = this.point(ev);
    this.hover = this.deps.camera.screenToHex(p.x, p.y);
    const press = this.press;
    if (!press || press.id !== ev.pointerId) return;
    if (!press.dragging && Math.hypot(p.x - press.x, p.y - press.y) > CLICK_SLOP_PX) press.dragging = true;
    if (press.dragging) {
      this.deps.camera.panBy(p.x - press.lastX, p.y - press.lastY);
    }
    press.lastX = p.x;
    press.lastY = p.y;
  }

  private onUp(ev: PointerEvent): void {
    const press = this.press;
    if (!press || press.id !== ev.pointerId) return;
    this.press = null;
    if (!press.dragging && ev.button === 0) {
      const p = this.point(ev);
      this.click(p.x, p.y);
    }
  }

  private onWheel(ev: WheelEvent): void {
    ev.preventDefault();
    const p = this.point(ev);
    // deltaMode 1 is lines (Firefox); scale it to roughly pixels.
    const delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
    this.deps.camera.zoomAt(Math.exp(-delta * 0.0015), p.x, p.y);
  }
}

/** Whether `target` takes typed text (an input, a text area, an editable element). */
function isTextField(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT";
}
