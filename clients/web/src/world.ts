// The client's view of the world: the map, per-hex visibility, the entities the server says we
// can see and those it remembers for us (last seen). Pure logic: time is passed in.

import { type LastSeenEvent, type ServerMsg, type SharingEvent, Visibility as VisibilityCode } from "./protocol";
import { type AxialHex, hexDisc, hexKey, hexLerp } from "./hex";

/** The `map` server message. */
export type MapMsg = Extract<ServerMsg, { type: "map" }>;
/** The `update` server message. */
export type UpdateMsg = Extract<ServerMsg, { type: "update" }>;

/** Visibility of a hex: 0 shroud (never seen), 1 fog (seen before), 2 visible. */
export type Visibility = (typeof VisibilityCode)[keyof typeof VisibilityCode];
/** Never seen. */
export const SHROUD: Visibility = VisibilityCode.Shroud;
/** Seen before, not visible now. */
export const FOG: Visibility = VisibilityCode.Fog;
/** Visible now. */
export const VISIBLE: Visibility = VisibilityCode.Visible;

/** An entity as the client tracks it, with what interpolation needs. */
export interface TrackedEntity {
  readonly id: number;
  kind: number;
  owner: number;
  health: number;
  /** The highest health seen for this entity (its bar is drawn against it). */
  maxHealth: number;
  /** Latest position from the server (whole hex). */
  pos: AxialHex;
  /** Where the rendered position started moving towards `pos` (fractional). */
  from: AxialHex;
  /** Time (ms) at which `pos` last changed. */
  movedAt: number;
  /** Time (ms) of the last update that mentioned this entity. */
  seenAt: number;
}

/** Plain snapshot of an entity (for tests and the page API). */
export interface EntitySnapshot {
  id: number;
  kind: number;
  owner: number;
  q: number;
  r: number;
  health: number;
}

/**
 * A remembered entity as last seen (protocol/SPEC.md §20.6): a building or resource field that
 * left the view. Drawn faded; not selectable.
 */
export interface LastSeenSnapshot {
  readonly id: number;
  readonly kind: number;
  /** Its owner when last seen. */
  readonly owner: number;
  /** Where it stood. */
  readonly pos: AxialHex;
  /** When (ms, the clock of `now`) the empire last saw it: receive time minus the event's age. */
  readonly seenAtMs: number;
}

/** Counters of odd input the world tolerated instead of failing. */
export interface WorldAnomalies {
  /** `changed` entries for entities the client does not know. */
  unknownChanged: number;
  /** `disappeared` entries for entities the client does not know. */
  unknownDisappeared: number;
}

/** Default tick interval used until the welcome message tells the real one. */
const DEFAULT_TICK_MS = 50;

/** The client-side world state. */
export class World {
  /** Radius of every chunk, from the map message. */
  chunkRadius = 0;
  /** Chunk centers, from the map message. */
  chunks: AxialHex[] = [];
  /** Every hex of the pocket (union of the chunk discs), in a stable order. */
  mapHexes: AxialHex[] = [];
  /** Latest server tick seen in an update. */
  tick = 0;
  /** Number of updates applied. */
  updates = 0;
  /** Empire resources by kind. */
  readonly resources = new Map<number, number>();
  /** Entities by id. */
  readonly entities = new Map<number, TrackedEntity>();
  /** Empires our empire shares its vision with (protocol/SPEC.md §20), from Sharing events. */
  readonly sharesTo = new Set<number>();
  /** Empires that share their vision with our empire: their units are our allies' (SPEC.md §20). */
  readonly sharedFrom = new Set<number>();
  /**
   * Remembered entities out of view, by id (SPEC.md §20.6): set by LastSeen events, dropped by
   * Forget events and when the entity is live again (enters `entities`).
   */
  readonly lastSeen = new Map<number, LastSeenSnapshot>();
  /** Tolerated anomalies. */
  readonly anomalies: WorldAnomalies = { unknownChanged: 0, unknownDisappeared: 0 };

  private tickMs = DEFAULT_TICK_MS;
  private readonly mapKeys = new Set<number>();
  private readonly blocked = new Set<number>();
  private readonly vision = new Map<number, Visibility>();
  /** Bumped whenever the map or any hex's visibility changes (render caches key on it). */
  private revision = 0;

  /**
   * Forgets the view (entities, visibility, resources, vision grants, remembered entities) but
   * keeps the map: a session resumed on another edge receives the whole view again from scratch
   * (every grant included, as Sharing events, and every remembered entity, as LastSeen events).
   */
  clearView(): void {
    this.entities.clear();
    this.lastSeen.clear();
    this.vision.clear();
    this.resources.clear();
    this.sharesTo.clear();
    this.sharedFrom.clear();
    this.revision++;
  }

  /**
   * Applies a Sharing event (SPEC.md §20.3): an `outgoing` grant is ours to `empire` (kept in
   * `sharesTo`), else `empire`'s to us (`sharedFrom`); `active` adds it, otherwise it ends.
   */
  applySharing(e: SharingEvent): void {
    const set = e.outgoing ? this.sharesTo : this.sharedFrom;
    if (e.active) set.add(e.empire);
    else set.delete(e.empire);
  }

  /**
   * Applies a LastSeen event received at time `now` (ms; SPEC.md §20.6): remembers entity `e.id`
   * as seen `e.ageSecs` seconds before `now`, replacing an older snapshot of it.
   */
  applyLastSeen(e: LastSeenEvent, now: number): void {
    this.lastSeen.set(e.id, {
      id: e.id,
      kind: e.kind,
      owner: e.owner,
      pos: { q: e.pos.q, r: e.pos.r },
      seenAtMs: now - e.ageSecs * 1000,
    });
  }

  /** Applies a Forget event (SPEC.md §20.6): drops the snapshot of entity `id`, if any. */
  applyForget(id: number): void {
    this.lastSeen.delete(id);
  }

  /**
   * The remembered entities to draw: those not live in `entities` (an entity in view again
   * replaces its memory), sorted by id.
   */
  rememberedEntities(): LastSeenSnapshot[] {
    return [...this.lastSeen.values()].filter((s) => !this.entities.has(s.id)).sort((a, b) => a.id - b.id);
  }

  /** Sets the interpolation interval from the server's tick rate. */
  setTickRate(hz: number): void {
    this.tickMs = hz > 0 ? 1000 / hz : DEFAULT_TICK_MS;
  }

  /** Interpolation interval in ms (one tick). */
  get tickIntervalMs(): number {
    return this.tickMs;
  }

  /** A counter that changes whenever map or visibility changes. */
  get mapRevision(): number {
    return this.revision;
  }

  /** Replaces the map with the one in `msg`. */
  applyMap(msg: Pick<MapMsg, "chunkRadius" | "chunks" | "blocked">): void {
    this.chunkRadius = msg.chunkRadius;
    this.chunks = msg.chunks.map((c) => ({ q: c.q, r: c.r }));
    this.mapKeys.clear();
    this.mapHexes = [];
    for (const center of this.chunks) {
      for (const h of hexDisc(center, this.chunkRadius)) {
        const key = hexKey(h.q, h.r);
        if (!this.mapKeys.has(key)) {
          this.mapKeys.add(key);
          this.mapHexes.push(h);
        }
      }
    }
    this.blocked.clear();
    for (const b of msg.blocked) this.blocked.add(hexKey(b.q, b.r));
    this.revision++;
  }

  /** Applies one update received at time `now` (ms). */
  applyUpdate(msg: Omit<UpdateMsg, "type">, now: number): void {
    this.tick = msg.tick;
    this.updates++;
    for (const e of msg.appeared) this.upsert(e, now);
    for (const c of msg.changed) this.change(c, now);
    for (const id of msg.disappeared) {
      if (!this.entities.delete(id)) this.anomalies.unknownDisappeared++;
    }
    for (const v of msg.vision) this.setVisibility(v.hex.q, v.hex.r, v.state);
    for (const res of msg.resources) this.resources.set(res.kind, res.amount);
  }

  /** Visibility of hex (q, r); shroud unless the server said otherwise. */
  visibility(q: number, r: number): Visibility {
    return this.vision.get(hexKey(q, r)) ?? SHROUD;
  }

  /** Whether hex (q, r) is part of the pocket. */
  isOnMap(q: number, r: number): boolean {
    return this.mapKeys.has(hexKey(q, r));
  }

  /** Whether hex (q, r) is impassable (an asteroid field). */
  isBlocked(q: number, r: number): boolean {
    return this.blocked.has(hexKey(q, r));
  }

  /** Number of impassable hexes on the map. */
  get blockedCount(): number {
    return this.blocked.size;
  }

  /**
   * Rendered (interpolated) position of an entity at time `now`: a lerp from
   * where it was drawn when its position last changed to its latest position,
   * over one tick interval.
   */
  renderPosition(e: TrackedEntity, now: number): AxialHex {
    const t = this.progress(e, now);
    return t >= 1 ? { q: e.pos.q, r: e.pos.r } : hexLerp(e.from, e.pos, t);
  }

  /** Entities owned by `empire`. */
  owned(empire: number): TrackedEntity[] {
    const out: TrackedEntity[] = [];
    for (const e of this.entities.values()) if (e.owner === empire) out.push(e);
    return out;
  }

  /** Entities whose latest position is hex (q, r). */
  entitiesAt(q: number, r: number): TrackedEntity[] {
    const out: TrackedEntity[] = [];
    for (const e of this.entities.values()) {
      if (e.pos.q === q && e.pos.r === r) out.push(e);
    }
    return out;
  }

  /** Plain snapshots of every entity, sorted by id. */
  snapshot(): EntitySnapshot[] {
    return [...this.entities.values()]
      .sort((a, b) => a.id - b.id)
      .map((e) => ({ id: e.id, kind: e.kind, owner: e.owner, q: e.pos.q, r: e.pos.r, health: e.health }));
  }

  private progress(e: TrackedEntity, now: number): number {
    if (this.tickMs <= 0) return 1;
    const t = (now - e.movedAt) / this.tickMs;
    return t < 0 ? 0 : t > 1 ? 1 : t;
  }

  private upsert(s: UpdateMsg["appeared"][number], now: number): void {
    // The entity is in view: its live state replaces the memory of it (SPEC.md §20.6).
    this.lastSeen.delete(s.id);
    const existing = this.entities.get(s.id);
    if (existing) {
      existing.kind = s.kind;
      existing.owner = s.owner;
      existing.health = s.health;
      existing.maxHealth = Math.max(existing.maxHealth, s.health);
      this.moveTo(existing, s.pos, now);
      existing.seenAt = now;
      return;
    }
    const pos = { q: s.pos.q, r: s.pos.r };
    this.entities.set(s.id, {
      id: s.id,
      kind: s.kind,
      owner: s.owner,
      health: s.health,
      maxHealth: s.health,
      pos,
      from: { ...pos },
      movedAt: now,
      seenAt: now,
    });
  }

  private change(c: UpdateMsg["changed"][number], now: number): void {
    const e = this.entities.get(c.id);
    if (!e) {
      this.anomalies.unknownChanged++;
      return;
    }
    this.lastSeen.delete(c.id);
    if (c.pos !== undefined && c.pos !== null) this.moveTo(e, c.pos, now);
    if (c.health !== undefined && c.health !== null) {
      e.health = c.health;
      e.maxHealth = Math.max(e.maxHealth, c.health);
    }
    e.seenAt = now;
  }

  private moveTo(e: TrackedEntity, to: AxialHex, now: number): void {
    if (e.pos.q === to.q && e.pos.r === to.r) return;
    // Start from where the entity is drawn right now, so a change arriving
    // mid-interpolation continues smoothly instead of jumping.
    e.from = this.renderPosition(e, now);
    e.pos = { q: to.q, r: to.r };
    e.movedAt = now;
  }

  private setVisibility(q: number, r: number, state: number): void {
    const key = hexKey(q, r);
    if (state === FOG || state === VISIBLE) this.vision.set(key, state);
    else this.vision.delete(key);
    this.revision++;
  }
}
