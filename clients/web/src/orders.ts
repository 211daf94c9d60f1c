// Sending orders: each command (move, attack, stop, the economy's build, train and cancel, and
// shared vision's share and revoke, protocol/SPEC.md §18-20) gets a sequence number from the
// CommandLog, with a label naming it for the notice that shows its rejection, and goes out on
// the session's stream.

import type { CommandLog } from "./commands";
import type { AxialHex } from "./hex";
import {
  ENTITY_KIND_NAMES,
  type Command,
  buildCommand,
  cancelCommand,
  commandUnit,
  revokeVisionCommand,
  shareVisionCommand,
  trainCommand,
} from "./protocol";

/** What orders need: the command log, the session, the clock and recipe names. */
export interface OrdersDeps {
  commands: CommandLog;
  /** Sends `command` numbered `seq`; false when not connected. */
  send(seq: number, command: Command): boolean;
  now(): number;
  /** A recipe's name by id, or null if the catalog has no such recipe. */
  recipeName(id: number): string | null;
}

/** The name of an entity kind for messages ("metal field"). */
export function kindName(kind: number): string {
  return (ENTITY_KIND_NAMES[kind] ?? `kind ${kind}`).replace(/_/g, " ");
}

/** Sends the client's commands; every method returns whether the command was sent. */
export class Orders {
  constructor(private readonly deps: OrdersDeps) {}

  move(unit: number, to: AxialHex): boolean {
    return this.send({ type: "move", unit, to: { q: to.q, r: to.r } }, to, `move #${unit}`);
  }

  attack(unit: number, target: number): boolean {
    return this.send({ type: "attack", unit, target }, null, `attack #${target} with #${unit}`);
  }

  stop(unit: number): boolean {
    return this.send({ type: "stop", unit }, null, `stop #${unit}`);
  }

  /** `unit` builds a building of `kind` at `at`. */
  build(unit: number, kind: number, at: AxialHex): boolean {
    return this.send(buildCommand(unit, kind, at), null, `build ${kindName(kind)} at ${at.q},${at.r}`);
  }

  /** Queues `recipe` in `building` (again on each completion if `repeat`). */
  train(building: number, recipe: number, repeat = false): boolean {
    const name = this.deps.recipeName(recipe) ?? `recipe ${recipe}`;
    return this.send(trainCommand(building, recipe, repeat), null, `${name} at #${building}`);
  }

  /** Cancels job `job` of `building`. */
  cancel(building: number, job: number): boolean {
    return this.send(cancelCommand(building, job), null, `cancel job ${job} at #${building}`);
  }

  /** Shares our vision with empire `to`. */
  shareVision(to: number): boolean {
    return this.send(shareVisionCommand(to), null, `share vision with empire ${to}`);
  }

  /** Stops sharing our vision with empire `to`. */
  revokeVision(to: number): boolean {
    return this.send(revokeVisionCommand(to), null, `revoke vision of empire ${to}`);
  }

  private send(command: Command, to: AxialHex | null, label: string): boolean {
    const { commands } = this.deps;
    const cmd = commands.begin(commandUnit(command), to, this.deps.now(), label);
    if (this.deps.send(cmd.seq, command)) return true;
    commands.abandon(cmd.seq);
    return false;
  }
}
