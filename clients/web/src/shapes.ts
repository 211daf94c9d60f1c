// Entity shapes and colours: ships (scout triangle, frigate diamond), buildings (station
// square, extractor pentagon, shipyard hangar) and resource fields (metal ore lumps, crystal
// shards) in muted colours, so a field never looks like an enemy. Other ships and buildings
// are coloured by how their owner relates to us: own, ally (it shares its vision with us,
// protocol/SPEC.md §20, or is in our alliance, §21.2) or not (hostile, and neutral pirates alike). Remembered entities (last
// seen, §20.6) keep their shape in a greyed version of their colour.

import { EntityKind, NEUTRAL_EMPIRE, depositOf } from "./protocol";

/** Fill colours of entities. */
export const ENTITY_COLORS = {
  own: "#45e06a",
  ally: "#4fb3ff",
  enemy: "#ff4b4b",
  metalField: "#8d97a3",
  crystalField: "#9a8cc4",
} as const;

/**
 * How an entity's owner relates to our empire: our own, an ally's (an empire whose vision we
 * receive), neutral (NEUTRAL_EMPIRE: pirates, NPCs, resource fields) or hostile.
 */
export type Relation = "own" | "ally" | "neutral" | "hostile";

/**
 * The relation of `owner` to `myEmpire` (null before the Welcome); `allies` are the empires
 * sharing their vision with us and those of our alliance.
 */
export function relationOf(owner: number, myEmpire: number | null, allies: ReadonlySet<number>): Relation {
  if (myEmpire !== null && owner === myEmpire) return "own";
  if (owner === NEUTRAL_EMPIRE) return "neutral";
  return allies.has(owner) ? "ally" : "hostile";
}

/** Whether entities of `kind` are resource fields (neutral, never attacked). */
export function isFieldKind(kind: number): boolean {
  return depositOf(kind) !== null;
}

/** The fill of an entity of `kind` whose owner has `relation` to us (neutral ships look hostile). */
export function entityColor(kind: number, relation: Relation): string {
  if (kind === EntityKind.MetalField) return ENTITY_COLORS.metalField;
  if (kind === EntityKind.CrystalField) return ENTITY_COLORS.crystalField;
  if (relation === "own") return ENTITY_COLORS.own;
  return relation === "ally" ? ENTITY_COLORS.ally : ENTITY_COLORS.enemy;
}

/** How much of its colour a remembered (last seen) entity keeps: the rest goes to grey. */
const REMEMBERED_SATURATION = 0.25;

/**
 * `color` ("#rrggbb") moved towards the grey of its own luminance, keeping `saturation` (0 grey,
 * 1 unchanged) of its colourfulness.
 */
export function desaturate(color: string, saturation: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => parseInt(c ?? "0", 16)) as [number, number, number];
  const grey = 0.299 * r + 0.587 * g + 0.114 * b;
  const mix = (c: number) => Math.round(grey + (c - grey) * saturation).toString(16).padStart(2, "0");
  return `#${mix(r)}${mix(g)}${mix(b)}`;
}

/** The fill of a remembered (last seen) entity: its normal colour, greyed. */
export function rememberedColor(kind: number, relation: Relation): string {
  return desaturate(entityColor(kind, relation), REMEMBERED_SATURATION);
}

/** Traces the outline of an entity of `kind` centred on (x, y), `size` px from centre to tip. */
export function traceShape(ctx: CanvasRenderingContext2D, kind: number, x: number, y: number, size: number): void {
  switch (kind) {
    case EntityKind.Scout:
      ctx.moveTo(x, y - size);
      ctx.lineTo(x + size * 0.87, y + size * 0.6);
      ctx.lineTo(x - size * 0.87, y + size * 0.6);
      ctx.closePath();
      break;
    case EntityKind.Frigate:
      ctx.moveTo(x, y - size);
      ctx.lineTo(x + size * 0.75, y);
      ctx.lineTo(x, y + size);
      ctx.lineTo(x - size * 0.75, y);
      ctx.closePath();
      break;
    case EntityKind.Station:
      ctx.rect(x - size * 0.8, y - size * 0.8, size * 1.6, size * 1.6);
      break;
    case EntityKind.Extractor:
      tracePolygon(ctx, x, y, size * 0.85, 5, -Math.PI / 2);
      break;
    case EntityKind.Shipyard:
      traceHangar(ctx, x, y, size);
      break;
    case EntityKind.MetalField:
      traceOre(ctx, x, y, size);
      break;
    case EntityKind.CrystalField:
      traceCrystals(ctx, x, y, size);
      break;
    default:
      ctx.arc(x, y, size * 0.7, 0, Math.PI * 2);
      break;
  }
}

/** A regular polygon of `n` corners at radius `r`, the first at angle `start`. */
function tracePolygon(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, n: number, start: number): void {
  for (let i = 0; i < n; i++) {
    const a = start + (i * 2 * Math.PI) / n;
    const px = x + r * Math.cos(a);
    const py = y + r * Math.sin(a);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.closePath();
}

/** A hangar: a wide block with an arched roof and a dock opening at the bottom. */
function traceHangar(ctx: CanvasRenderingContext2D, x: number, y: number, size: number): void {
  const w = size * 0.95;
  const base = y + size * 0.7;
  const eave = y - size * 0.05;
  const door = size * 0.35;
  ctx.moveTo(x - w, base);
  ctx.lineTo(x - w, eave);
  ctx.quadraticCurveTo(x, y - size * 1.05, x + w, eave);
  ctx.lineTo(x + w, base);
  ctx.lineTo(x + door, base);
  ctx.lineTo(x + door, y + size * 0.3);
  ctx.lineTo(x - door, y + size * 0.3);
  ctx.lineTo(x - door, base);
  ctx.closePath();
}

/** Three lumps of ore. */
function traceOre(ctx: CanvasRenderingContext2D, x: number, y: number, size: number): void {
  const lumps: [number, number, number][] = [
    [-0.32, 0.18, 0.36],
    [0.34, 0.22, 0.3],
    [0.02, -0.28, 0.32],
  ];
  for (const [dx, dy, r] of lumps) {
    ctx.moveTo(x + (dx + r) * size, y + dy * size);
    ctx.arc(x + dx * size, y + dy * size, r * size, 0, Math.PI * 2);
  }
}

/** Three crystal shards (tall thin diamonds), the middle one tallest. */
function traceCrystals(ctx: CanvasRenderingContext2D, x: number, y: number, size: number): void {
  const shards: [number, number, number][] = [
    [-0.38, 0.55, 0.16],
    [0, 0.85, 0.2],
    [0.38, 0.6, 0.16],
  ];
  for (const [dx, h, w] of shards) {
    const cx = x + dx * size;
    const bottom = y + size * 0.6;
    ctx.moveTo(cx, bottom - h * size * 1.6);
    ctx.lineTo(cx + w * size, bottom - h * size * 0.8);
    ctx.lineTo(cx, bottom);
    ctx.lineTo(cx - w * size, bottom - h * size * 0.8);
    ctx.closePath();
  }
}
