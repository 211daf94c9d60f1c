// Helpers for the economy of protocol version 3 (protocol/SPEC.md §19): command constructors
// and the entity-kind facts a client needs to offer build and train menus.

import { EntityKind, ResourceKind } from "./types";
import type { BuildCommand, CancelCommand, Command, Hex, TrainCommand } from "./types";

/**
 * The entity a command orders: its unit, or (Train, Cancel) its building; null for the
 * commands about an empire (ShareVision, RevokeVision) and the social ones (chat, alliances)
 * (Rust `Command::unit`).
 */
export function commandUnit(c: Command): number | null {
  switch (c.type) {
    case "move":
    case "stop":
    case "attack":
    case "build":
      return c.unit;
    case "train":
    case "cancel":
      return c.building;
    default:
      return null;
  }
}

/** A Build command: `unit` builds a building of `kind` (an EntityKind code) at `at`. */
export function buildCommand(unit: number, kind: number, at: Hex): BuildCommand {
  return { type: "build", unit, kind, at: { q: at.q, r: at.r } };
}

/** A Train command: queue `recipe` in `building`, again on each completion if `repeat`. */
export function trainCommand(building: number, recipe: number, repeat = false): TrainCommand {
  return { type: "train", building, recipe, repeat };
}

/** A Cancel command: cancel job `job` of `building` (refunded). */
export function cancelCommand(building: number, job: number): CancelCommand {
  return { type: "cancel", building, job };
}

/** Whether an entity of `kind` is a building (it stands still and may hold a production queue). */
export function isBuildingKind(kind: number): boolean {
  return kind === EntityKind.Station || kind === EntityKind.Extractor || kind === EntityKind.Shipyard;
}

/** The ResourceKind a resource field of `kind` yields, or null if `kind` is not a resource field. */
export function depositOf(kind: number): number | null {
  if (kind === EntityKind.MetalField) return ResourceKind.Metal;
  if (kind === EntityKind.CrystalField) return ResourceKind.Crystal;
  return null;
}
