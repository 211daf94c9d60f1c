// The browser's side of delta updates (protocol/SPEC.md §16.3): reconstructs entity states from
// EntityPackets, applies reliable events once, and builds the Ack { newest, mask } to send.
// Pure logic: no sockets, no timers; world.ts can plug it in later.

import { EntityKind, NEUTRAL_EMPIRE } from "./protocol";
import type { EntityPacket, EntityRecord, EventEntry, Hex } from "./protocol";

/** An entity's reconstructed state; treat as immutable (objects are shared with the history). */
export interface EntityView {
  readonly kind: number;
  readonly owner: number;
  readonly pos: Readonly<Hex>;
  readonly health: number;
}

/** What one `handlePacket` call changed. */
export interface DeltaResult {
  /** The packet's seq was already received; nothing was applied. */
  duplicate: boolean;
  /** The packet is not newer than the newest one received (its records never overwrite newer states). */
  late: boolean;
  /** Events applied for the first time, in packet order. */
  events: EventEntry[];
  /** Ids that entered the view (process after `removed`: an id can be in both). */
  appeared: number[];
  /** Ids already in the view whose state changed. */
  changed: number[];
  /** Ids removed from the view by `disappeared` events. */
  removed: number[];
}

/** Counters for diagnostics. */
export interface DeltaStats {
  /** Delta records skipped because their baseline state was not stored. */
  missingBaseline: number;
  /** Packets whose seq was already received. */
  duplicates: number;
  /** Packets too old for the history window: only their events were applied. */
  tooOld: number;
}

/** Tuning of a `DeltaReceiver`. */
export interface DeltaReceiverOptions {
  /** Packets kept as baselines, counted back from the newest seq (default 64, at least 33). */
  historyWindow?: number;
  /** Recently applied event ids remembered for deduplication (default 4096, at least 1). */
  eventMemory?: number;
}

/** The default state a record without a baseline is against (SPEC.md §16.2). */
export const DEFAULT_ENTITY: EntityView = Object.freeze({
  kind: EntityKind.Scout,
  owner: NEUTRAL_EMPIRE,
  pos: Object.freeze({ q: 0, r: 0 }),
  health: 0,
});

const SEQ_MOD = 0x10000;
const HALF_SEQ = 0x8000;
const MAX_HEALTH = 0xffff;
/** Bits in an Ack mask. */
const MASK_BITS = 32;

/** States produced by one received packet, by entity id. */
type PacketStates = Map<number, EntityView>;

/**
 * Reconstructs entity states from EntityPackets (SPEC.md §16.3).
 *
 * Sequence numbers are unwrapped into a monotonic "extended" seq relative to the newest one
 * received, so ordering survives the u16 wraparound. Per entity the view remembers which
 * packet its state came from; a late packet updates an entity only if its state is older.
 */
export class DeltaReceiver {
  /** Diagnostics counters. */
  readonly stats: DeltaStats = { missingBaseline: 0, duplicates: 0, tooOld: 0 };

  private readonly window: number;
  private readonly eventMemory: number;
  /** Extended seq of the newest packet received; null before the first. */
  private newestExt: number | null = null;
  /** Received packets within the window, by extended seq. */
  private readonly history = new Map<number, PacketStates>();
  private readonly view = new Map<number, EntityView>();
  /** Extended seq of the packet each viewed state came from. */
  private readonly viewSeq = new Map<number, number>();
  /** Extended seq of the packet whose event removed an id: older records must not revive it. */
  private readonly tombstones = new Map<number, number>();
  private readonly appliedEvents = new Set<number>();
  private readonly eventOrder: number[] = [];

  constructor(options: DeltaReceiverOptions = {}) {
    this.window = Math.max(MASK_BITS + 1, Math.floor(options.historyWindow ?? 64));
    this.eventMemory = Math.max(1, Math.floor(options.eventMemory ?? 4096));
  }

  /** The current entity states, by id (a live view: do not mutate). */
  entities(): ReadonlyMap<number, EntityView> {
    return this.view;
  }

  /**
   * The Ack to send: `newest` is the newest seq received, bit `i` of `mask` (unsigned 32-bit)
   * is set when packet `newest - 1 - i` (mod 2^16) was received. Null before any packet.
   */
  ack(): { newest: number; mask: number } | null {
    if (this.newestExt === null) return null;
    let mask = 0;
    for (let i = 0; i < MASK_BITS; i++) {
      if (this.history.has(this.newestExt - 1 - i)) mask |= 1 << i;
    }
    return { newest: wrap(this.newestExt), mask: mask >>> 0 };
  }

  /** Applies one EntityPacket: its new events first, then its records. */
  handlePacket(p: EntityPacket): DeltaResult {
    const result: DeltaResult = { duplicate: false, late: false, events: [], appeared: [], changed: [], removed: [] };
    const ext = this.extend(p.seq);
    if (this.history.has(ext)) {
      this.stats.duplicates++;
      result.duplicate = true;
      return result;
    }
    const newest = this.newestExt;
    result.late = newest !== null && ext < newest;
    const inWindow = newest === null || ext > newest - this.window;
    if (inWindow) {
      this.history.set(ext, new Map());
      if (newest === null || ext > newest) this.advance(ext);
    } else {
      this.stats.tooOld++;
    }

    const removed = new Set<number>();
    for (const entry of p.events) {
      if (!this.rememberEvent(entry.eventId)) continue;
      result.events.push(entry);
      if (entry.event.type === "disappeared") this.disappear(entry.event.id, ext, removed);
    }
    result.removed = [...removed];
    if (!inWindow) return result;

    const states = this.history.get(ext);
    if (states === undefined) return result;
    const appeared = new Set<number>();
    const changed = new Set<number>();
    let missing = 0;
    for (const rec of p.entities) {
      const state = this.resolve(rec, ext, p.healthStep);
      if (state === null) {
        missing++;
        continue;
      }
      states.set(rec.id, state);
      this.applyToView(rec.id, state, ext, appeared, changed);
    }
    // A late packet with a record whose baseline is gone is not acknowledged (SPEC.md §16.3):
    // the edge must not take it as those entities' baseline, and sends them again instead.
    if (missing > 0 && result.late) this.history.delete(ext);
    result.appeared = [...appeared];
    result.changed = [...changed].filter((id) => !appeared.has(id));
    return result;
  }

  /** The extended seq of `seq`: the nearest one to the newest received. */
  private extend(seq: number): number {
    if (this.newestExt === null) return seq;
    let d = (seq - this.newestExt) & (SEQ_MOD - 1);
    if (d >= HALF_SEQ) d -= SEQ_MOD;
    return this.newestExt + d;
  }

  /** Makes `ext` the newest seq and forgets what fell out of the window. */
  private advance(ext: number): void {
    this.newestExt = ext;
    const oldest = ext - this.window + 1;
    for (const seq of this.history.keys()) if (seq < oldest) this.history.delete(seq);
    for (const [id, seq] of this.tombstones) if (seq < oldest) this.tombstones.delete(id);
  }

  /** Records `eventId` as applied; false if it already was. */
  private rememberEvent(eventId: number): boolean {
    if (this.appliedEvents.has(eventId)) return false;
    this.appliedEvents.add(eventId);
    this.eventOrder.push(eventId);
    while (this.eventOrder.length > this.eventMemory) {
      const old = this.eventOrder.shift();
      if (old !== undefined) this.appliedEvents.delete(old);
    }
    return true;
  }

  /** Removes `id` unless its state came from a packet newer than `ext`. */
  private disappear(id: number, ext: number, removed: Set<number>): void {
    const seq = this.viewSeq.get(id);
    if (seq !== undefined && seq > ext) return;
    if (this.view.delete(id)) removed.add(id);
    this.viewSeq.delete(id);
    const tomb = this.tombstones.get(id);
    if (tomb === undefined || tomb < ext) this.tombstones.set(id, ext);
  }

  /** The state `rec` produces in packet `ext`, or null when its baseline is missing. */
  private resolve(rec: EntityRecord, ext: number, healthStep: number): EntityView | null {
    let base = DEFAULT_ENTITY;
    if (rec.baselineAge !== undefined) {
      const found = this.history.get(ext - rec.baselineAge)?.get(rec.id);
      if (found === undefined) {
        this.stats.missingBaseline++;
        return null;
      }
      base = found;
    }
    let pos = base.pos;
    if (rec.pos !== undefined) {
      pos =
        rec.baselineAge === undefined
          ? { q: rec.pos.q, r: rec.pos.r }
          : { q: (base.pos.q + rec.pos.q) | 0, r: (base.pos.r + rec.pos.r) | 0 };
    }
    return {
      kind: rec.baselineAge === undefined ? (rec.kind ?? base.kind) : base.kind,
      owner: rec.baselineAge === undefined ? (rec.owner ?? base.owner) : base.owner,
      pos,
      health: rec.health === undefined ? base.health : Math.min(MAX_HEALTH, rec.health * healthStep),
    };
  }

  /** Puts `state` into the view unless the entity's state (or removal) is newer than `ext`. */
  private applyToView(id: number, state: EntityView, ext: number, appeared: Set<number>, changed: Set<number>): void {
    const seq = this.viewSeq.get(id);
    if (seq !== undefined && seq > ext) return;
    const tomb = this.tombstones.get(id);
    if (tomb !== undefined && tomb > ext) return;
    const old = this.view.get(id);
    this.view.set(id, state);
    this.viewSeq.set(id, ext);
    if (old === undefined) appeared.add(id);
    else if (!sameState(old, state)) changed.add(id);
  }
}

function wrap(ext: number): number {
  return ((ext % SEQ_MOD) + SEQ_MOD) % SEQ_MOD;
}

function sameState(a: EntityView, b: EntityView): boolean {
  return (
    a.kind === b.kind && a.owner === b.owner && a.pos.q === b.pos.q && a.pos.r === b.pos.r && a.health === b.health
  );
}
