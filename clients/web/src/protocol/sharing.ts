// Helpers for shared vision, protocol version 4 (protocol/SPEC.md §20): command constructors.
// The Sharing event is decoded in delta.ts (event tag 7, the extended event).

import type { RevokeVisionCommand, ShareVisionCommand } from "./types";

/** A ShareVision command: from now on, empire `to` sees what the sender's units see. */
export function shareVisionCommand(to: number): ShareVisionCommand {
  return { type: "shareVision", to };
}

/** A RevokeVision command: stop sharing the sender's vision with empire `to`. */
export function revokeVisionCommand(to: number): RevokeVisionCommand {
  return { type: "revokeVision", to };
}
