// Canvas renderer: the pocket's hexes with shroud / fog / visible styles,
// asteroid fields, and entities interpolated between updates (resource fields
// under everything else, construction sites faded with a dashed outline, allies' (vision
// shared with us, or alliance members) units in their own colour), and under them the remembered entities out of view (last seen,
// protocol/SPEC.md §20.6): faded, greyed, dashed, never selected.

import type { Camera } from "./camera";
import { type AxialHex, DIRECTIONS, hexCorners, hexToPixel } from "./hex";
import { entityColor, isFieldKind, rememberedColor, relationOf, traceShape } from "./shapes";
import { FOG, type LastSeenSnapshot, VISIBLE, type TrackedEntity, type World } from "./world";

/** What the renderer needs besides the world and the camera. */
export interface ViewState {
  /** Our empire id, or null before welcome. */
  myEmpire: number | null;
  /** Selected entity id. */
  selected: number | null;
  /** Hex under the mouse. */
  hover: AxialHex | null;
  /** Destination of the last move command of the selected unit. */
  moveTarget: AxialHex | null;
  /** Target of the selected unit's last attack order, or null. */
  attackTarget?: number | null;
  /** Whether an (own) building is a construction site. */
  underConstruction?: (id: number) => boolean;
  /** Where the unit placing a chosen build stands, or null when no build is chosen. */
  buildFrom?: AxialHex | null;
  /**
   * The empires drawn as allies: those sharing their vision with us and the members of our
   * alliance (protocol/SPEC.md §20, §21.2). Without it, the world's `sharedFrom`.
   */
  allies?: ReadonlySet<number>;
}

/** Opacity of a remembered (last seen) entity. */
const REMEMBERED_ALPHA = 0.35;

/** Colours of the hex styles, by visibility; blocked variants are asteroid fields. */
const STYLE = {
  background: "#000000",
  shroud: { fill: "#08090d", stroke: "#171b25" },
  fog: { fill: "#1b2433", stroke: "#27334a" },
  visible: { fill: "#2f4f78", stroke: "#4a72a3" },
  blockedShroud: { fill: "#17130f", stroke: "#171b25" },
  blockedFog: { fill: "#2b2520", stroke: "#27334a" },
  blockedVisible: { fill: "#5b4a3a", stroke: "#4a72a3" },
  enemy: "#ff4b4b",
  build: "#5fd4ff",
  selected: "#ffffff",
  hover: "rgba(255,255,255,0.55)",
  target: "#ffd34d",
} as const;

type HexStyle = { fill: string; stroke: string };

/** Hexes of one style gathered into one path, so each style is one fill. */
interface Batch {
  style: HexStyle;
  path: Path2D;
  blocked: boolean;
}

/** Draws the world on a canvas that fills its parent window. */
export class Renderer {
  private readonly ctx: CanvasRenderingContext2D;
  private dpr = 1;
  private rockPattern: CanvasPattern | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly world: World,
    private readonly camera: Camera,
  ) {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("2d canvas context unavailable");
    this.ctx = ctx;
    this.rockPattern = makeRockPattern(ctx);
    this.resize();
  }

  /** Matches the canvas to the window size and device pixel ratio. */
  resize(): void {
    const w = window.innerWidth;
    const h = window.innerHeight;
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.canvas.width = Math.round(w * this.dpr);
    this.canvas.height = Math.round(h * this.dpr);
    this.camera.resize(w, h);
  }

  /** Draws one frame at time `now` (ms, same clock as the world's updates). */
  draw(now: number, view: ViewState): void {
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = STYLE.background;
    ctx.fillRect(0, 0, this.camera.width, this.camera.height);
    this.drawMap();
    if (view.buildFrom) this.drawBuildSites(view.buildFrom);
    if (view.hover && this.world.isOnMap(view.hover.q, view.hover.r)) {
      this.outlineHex(view.hover, view.buildFrom ? STYLE.build : STYLE.hover, view.buildFrom ? 2.5 : 1.5);
    }
    if (view.moveTarget) this.drawTarget(view.moveTarget);
    // What we remember and no longer see, under everything live.
    for (const m of this.world.rememberedEntities()) this.drawRemembered(m, view);
    // Resource fields first: ships standing next to (or on) them stay visible.
    for (const e of this.world.entities.values()) if (isFieldKind(e.kind)) this.drawEntity(e, now, view);
    for (const e of this.world.entities.values()) if (!isFieldKind(e.kind)) this.drawEntity(e, now, view);
  }

  /** The hexes next to a builder, where a chosen build can go (build range 1 by default). */
  private drawBuildSites(from: AxialHex): void {
    this.ctx.setLineDash([4, 3]);
    for (const d of DIRECTIONS) {
      const h = { q: from.q + d.q, r: from.r + d.r };
      if (this.world.isOnMap(h.q, h.r) && !this.world.isBlocked(h.q, h.r)) this.outlineHex(h, STYLE.build, 1);
    }
    this.ctx.setLineDash([]);
  }

  private drawMap(): void {
    const zoom = this.camera.zoom;
    const rect = this.camera.visibleWorldRect(2);
    const batches = new Map<HexStyle, Batch>();
    const inset = zoom >= 6 ? 0.94 : 1.02; // leave gaps between hexes when big enough
    for (const h of this.world.mapHexes) {
      const w = hexToPixel(h.q, h.r);
      if (w.x < rect.minX || w.x > rect.maxX || w.y < rect.minY || w.y > rect.maxY) continue;
      const blocked = this.world.isBlocked(h.q, h.r);
      const style = hexStyle(this.world.visibility(h.q, h.r), blocked);
      let batch = batches.get(style);
      if (!batch) {
        batch = { style, path: new Path2D(), blocked };
        batches.set(style, batch);
      }
      const s = this.camera.worldToScreen(w);
      addHexPath(batch.path, s.x, s.y, zoom * inset);
    }
    const ctx = this.ctx;
    for (const b of batches.values()) {
      ctx.fillStyle = b.style.fill;
      ctx.fill(b.path);
      if (b.blocked && this.rockPattern) {
        ctx.fillStyle = this.rockPattern;
        ctx.fill(b.path);
      }
      if (zoom >= 6) {
        ctx.strokeStyle = b.style.stroke;
        ctx.lineWidth = 1;
        ctx.stroke(b.path);
      }
    }
  }

  private outlineHex(h: AxialHex, color: string, width: number): void {
    const s = this.camera.hexToScreen(h.q, h.r);
    const path = new Path2D();
    addHexPath(path, s.x, s.y, this.camera.zoom * 0.94);
    this.ctx.strokeStyle = color;
    this.ctx.lineWidth = width;
    this.ctx.stroke(path);
  }

  private drawTarget(h: AxialHex): void {
    const s = this.camera.hexToScreen(h.q, h.r);
    const d = Math.max(3, this.camera.zoom * 0.35);
    const ctx = this.ctx;
    ctx.strokeStyle = STYLE.target;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(s.x - d, s.y - d);
    ctx.lineTo(s.x + d, s.y + d);
    ctx.moveTo(s.x + d, s.y - d);
    ctx.lineTo(s.x - d, s.y + d);
    ctx.stroke();
  }

  /** A health bar of `width` px centred on (x, y), filled to `fraction`. */
  private drawHealth(x: number, y: number, width: number, fraction: number): void {
    const ctx = this.ctx;
    const f = Math.max(0, Math.min(1, fraction));
    ctx.fillStyle = "#000000";
    ctx.fillRect(x - width / 2 - 1, y - 2, width + 2, 4);
    ctx.fillStyle = f > 0.5 ? "#4caf50" : f > 0.25 ? "#ffc107" : "#f44336";
    ctx.fillRect(x - width / 2, y - 1, width * f, 2);
  }

  /** A remembered entity where it was last seen: its shape, faded, greyed and dashed. */
  private drawRemembered(m: LastSeenSnapshot, view: ViewState): void {
    const s = this.camera.hexToScreen(m.pos.q, m.pos.r);
    const size = Math.max(3, this.camera.zoom * 0.55);
    const color = rememberedColor(m.kind, relationOf(m.owner, view.myEmpire, view.allies ?? this.world.sharedFrom));
    const ctx = this.ctx;
    ctx.beginPath();
    traceShape(ctx, m.kind, s.x, s.y, isFieldKind(m.kind) ? size * 0.9 : size);
    ctx.globalAlpha = REMEMBERED_ALPHA;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.setLineDash([3, 3]);
    ctx.lineWidth = 1;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }

  private drawEntity(e: TrackedEntity, now: number, view: ViewState): void {
    const p = this.world.renderPosition(e, now);
    const s = this.camera.hexToScreen(p.q, p.r);
    const size = Math.max(3, this.camera.zoom * 0.55);
    const relation = relationOf(e.owner, view.myEmpire, view.allies ?? this.world.sharedFrom);
    const field = isFieldKind(e.kind);
    const site = relation === "own" && (view.underConstruction?.(e.id) ?? false);
    const color = entityColor(e.kind, relation);
    const ctx = this.ctx;
    ctx.beginPath();
    traceShape(ctx, e.kind, s.x, s.y, field ? size * 0.9 : size);
    ctx.globalAlpha = site ? 0.3 : field ? 0.75 : 1;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
    if (site) {
      // A construction site: a dashed outline around a faded body.
      ctx.setLineDash([3, 2]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = color;
      ctx.stroke();
      ctx.setLineDash([]);
    } else {
      ctx.lineWidth = 1;
      ctx.strokeStyle = field ? "rgba(0,0,0,0.5)" : "#000000";
      ctx.stroke();
    }
    if (e.health < e.maxHealth) this.drawHealth(s.x, s.y - size * 1.5, size * 2, e.health / e.maxHealth);
    if (view.attackTarget === e.id) {
      ctx.beginPath();
      ctx.arc(s.x, s.y, size * 1.6, 0, Math.PI * 2);
      ctx.strokeStyle = STYLE.enemy;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    if (view.selected === e.id) {
      const pulse = 1 + 0.12 * Math.sin(now / 150);
      ctx.beginPath();
      ctx.arc(s.x, s.y, size * 1.35 * pulse, 0, Math.PI * 2);
      ctx.strokeStyle = STYLE.selected;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
}

/** The style of a map hex. */
function hexStyle(vis: number, blocked: boolean): HexStyle {
  if (vis === VISIBLE) return blocked ? STYLE.blockedVisible : STYLE.visible;
  if (vis === FOG) return blocked ? STYLE.blockedFog : STYLE.fog;
  return blocked ? STYLE.blockedShroud : STYLE.shroud;
}

/** Appends a closed pointy-top hexagon to `path`. */
function addHexPath(path: Path2D, cx: number, cy: number, size: number): void {
  const c = hexCorners(cx, cy, size);
  path.moveTo(c[0] ?? cx, c[1] ?? cy);
  for (let i = 2; i < c.length; i += 2) path.lineTo(c[i] ?? cx, c[i + 1] ?? cy);
  path.closePath();
}

/** A small speckle texture for asteroid fields. */
function makeRockPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  const tile = document.createElement("canvas");
  tile.width = 12;
  tile.height = 12;
  const t = tile.getContext("2d");
  if (!t) return null;
  const dots: [number, number, number][] = [
    [2, 3, 1.4],
    [8, 2, 1.0],
    [6, 7, 1.6],
    [10, 10, 1.1],
    [3, 10, 0.9],
  ];
  for (const [x, y, r] of dots) {
    t.beginPath();
    t.arc(x, y, r, 0, Math.PI * 2);
    t.fillStyle = "rgba(0,0,0,0.45)";
    t.fill();
    t.beginPath();
    t.arc(x - 0.4, y - 0.4, r * 0.5, 0, Math.PI * 2);
    t.fillStyle = "rgba(255,235,210,0.18)";
    t.fill();
  }
  return ctx.createPattern(tile, "repeat");
}
