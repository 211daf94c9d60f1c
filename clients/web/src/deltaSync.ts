// Turns EntityPacket datagrams (protocol/SPEC.md §16) into what the rest of the client already
// understands: a World update (appeared / changed / disappeared / vision / resources), command
// answers for the CommandLog, combat reports, job events, vision grants (Sharing events), the
// vision cache (LastSeen and Forget events), and the Ack to send back. Pure logic: no sockets,
// no timers.

import { DeltaReceiver, type DeltaResult } from "./deltaReceiver";
import type {
  EntityChange,
  EntityPacket,
  EntityState,
  JobEvent,
  LastSeenEvent,
  ResourceAmount,
  SharingEvent,
  VisionChange,
} from "./protocol";
import type { UpdateMsg, World } from "./world";

/** The fields of an `update` message, as `World.applyUpdate` takes them. */
export type UpdateBody = Omit<UpdateMsg, "type">;

/** An empire's combat over one report interval (SPEC.md §18.2). */
export interface CombatReport {
  dealt: number;
  taken: number;
  kills: number;
  losses: number;
}

/** The answer to one of our commands: `error` is null when it was accepted. */
export interface CommandAnswer {
  seq: number;
  error: number | null;
}

/** A vision cache event (SPEC.md §20.6): remember an entity as last seen, or forget it. */
export type MemoryEvent = ({ type: "lastSeen" } & LastSeenEvent) | { type: "forget"; id: number };

/** What one applied packet means for the client. */
export interface SyncOutcome {
  /** The world update. Its `tick` never moves backwards (a late packet keeps the newest). */
  update: UpdateBody;
  /**
   * Ids removed and set again by the same packet: drop them from the world before applying
   * `update` (they are in `update.appeared`), so they are placed, not interpolated.
   */
  replaced: number[];
  /** Command answers from the packet's new events, in packet order. */
  commands: CommandAnswer[];
  /** The empire's combat reports among the packet's new events (SPEC.md §18.2). */
  combat: CombatReport[];
  /** Job events of the empire's buildings among the packet's new events (SPEC.md §19.4). */
  jobs: JobEvent[];
  /** Vision grants that began or ended among the packet's new events (SPEC.md §20.3). */
  sharing: SharingEvent[];
  /** LastSeen and Forget events among the packet's new events, in packet order (SPEC.md §20.6). */
  memory: MemoryEvent[];
  /** What the receiver did with the packet. */
  result: DeltaResult;
}

/** Counters exposed to tests as `window.__starlane.delta()`. */
export interface DeltaSyncStats {
  /** Packets applied (everything but duplicates). */
  packets: number;
  /** Packets received twice (ignored). */
  duplicates: number;
  /** Delta records skipped because their baseline was not held. */
  missingBaseline: number;
  /** Packets too old for the baseline window (only their events applied). */
  tooOld: number;
  /** Acks handed out by `takeAck`. */
  acks: number;
}

/** What the adapter needs from the world: the entities it currently tracks. */
export type KnownEntities = Pick<World, "entities">;

/** Feeds EntityPackets to a DeltaReceiver and builds world updates from what it applied. */
export class DeltaSync {
  /** The receiver; its view equals what the produced updates built. */
  readonly receiver: DeltaReceiver;

  private packets = 0;
  private acks = 0;
  private tick: number | null = null;
  private ackDue = false;

  constructor(receiver = new DeltaReceiver()) {
    this.receiver = receiver;
  }

  /**
   * Applies one packet. `world` is the world the update will be applied to (changes are
   * computed against its entities). Returns null for a duplicate (nothing applied, no Ack due).
   */
  handlePacket(p: EntityPacket, world: KnownEntities): SyncOutcome | null {
    const result = this.receiver.handlePacket(p);
    if (result.duplicate) return null;
    this.packets++;
    this.ackDue = true;
    const tick = this.tick === null || !result.late ? p.tick : Math.max(this.tick, p.tick);
    this.tick = tick;

    const vision: VisionChange[] = [];
    const resources: ResourceAmount[] = [];
    const commands: CommandAnswer[] = [];
    const combat: CombatReport[] = [];
    const jobs: JobEvent[] = [];
    const sharing: SharingEvent[] = [];
    const memory: MemoryEvent[] = [];
    for (const { event } of result.events) {
      switch (event.type) {
        case "vision":
          vision.push({ hex: { q: event.hex.q, r: event.hex.r }, state: event.state });
          break;
        case "resource":
          resources.push({ kind: event.kind, amount: event.amount });
          break;
        case "commandAck":
          commands.push({ seq: event.seq, error: null });
          break;
        case "commandRejected":
          commands.push({ seq: event.seq, error: event.error });
          break;
        case "combat":
          combat.push({ dealt: event.dealt, taken: event.taken, kills: event.kills, losses: event.losses });
          break;
        case "job":
          jobs.push({ building: event.building, job: event.job, recipe: event.recipe, state: event.state });
          break;
        case "sharing":
          sharing.push({ empire: event.empire, outgoing: event.outgoing, active: event.active });
          break;
        case "lastSeen": {
          const { id, kind, owner, pos, ageSecs } = event;
          memory.push({ type: "lastSeen", id, kind, owner, pos: { q: pos.q, r: pos.r }, ageSecs });
          break;
        }
        case "forget":
          memory.push({ type: "forget", id: event.id });
          break;
        case "disappeared":
          // Taken from `result.removed`: only ids that really left the view.
          break;
      }
    }

    const entered = new Set(result.appeared);
    const replaced = result.removed.filter((id) => entered.has(id));
    const disappeared = result.removed.filter((id) => !entered.has(id));
    const appeared: EntityState[] = [];
    const changed: EntityChange[] = [];
    for (const id of result.appeared) {
      const s = this.state(id);
      if (s) appeared.push(s);
    }
    for (const id of result.changed) {
      const s = this.state(id);
      if (!s) continue;
      const known = world.entities.get(id);
      // Unknown to the world, or kind/owner changed (a change cannot carry those): upsert.
      if (!known || known.kind !== s.kind || known.owner !== s.owner) {
        appeared.push(s);
        continue;
      }
      const change: EntityChange = { id };
      if (known.pos.q !== s.pos.q || known.pos.r !== s.pos.r) change.pos = s.pos;
      if (known.health !== s.health) change.health = s.health;
      if (change.pos !== undefined || change.health !== undefined) changed.push(change);
    }
    return {
      update: { tick, appeared, changed, disappeared, vision, resources },
      replaced,
      commands,
      combat,
      jobs,
      sharing,
      memory,
      result,
    };
  }

  /**
   * The Ack to send if a packet was applied since the last call, else null. Call it once per
   * batch of packets (one Ack covers the newest packet and the 32 before it).
   */
  takeAck(): { newest: number; mask: number } | null {
    if (!this.ackDue) return null;
    this.ackDue = false;
    const ack = this.receiver.ack();
    if (ack) this.acks++;
    return ack;
  }

  /** Lifetime counters. */
  stats(): DeltaSyncStats {
    const s = this.receiver.stats;
    return {
      packets: this.packets,
      duplicates: s.duplicates,
      missingBaseline: s.missingBaseline,
      tooOld: s.tooOld,
      acks: this.acks,
    };
  }

  private state(id: number): EntityState | null {
    const v = this.receiver.entities().get(id);
    if (!v) return null;
    return { id, kind: v.kind, owner: v.owner, pos: { q: v.pos.q, r: v.pos.r }, health: v.health };
  }
}

/**
 * Applies `outcome.update` to `world` at time `now` (ms), placing replaced entities afresh, and
 * its vision grants, in packet order. The vision cache events go first (events before records,
 * SPEC.md §16.3), so an entity of the packet's records replaces its memory.
 */
export function applyToWorld(outcome: SyncOutcome, world: World, now: number): void {
  for (const m of outcome.memory) {
    if (m.type === "lastSeen") world.applyLastSeen(m, now);
    else world.applyForget(m.id);
  }
  for (const id of outcome.replaced) world.entities.delete(id);
  world.applyUpdate(outcome.update, now);
  for (const s of outcome.sharing) world.applySharing(s);
}
