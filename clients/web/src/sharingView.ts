// What the shared-vision panel shows (pure; sharingPanel.ts draws it): the empires our empire
// shares its vision with (each revocable), the empires that share theirs with us, and, for a
// selected unit of another player's empire, the offer to share our vision with that empire
// (protocol/SPEC.md §20).

import { NEUTRAL_EMPIRE } from "./protocol";

/** One empire of a list of the panel. */
export interface EmpireRow {
  empire: number;
  /** Whether the grant goes both ways (we share with it and it shares with us). */
  mutual: boolean;
  /** Whether the selected entity belongs to this empire. */
  selected: boolean;
}

/** The panel's content. */
export interface SharingModel {
  /** Empires we share our vision with, ascending: one revoke button each. */
  sharesTo: EmpireRow[];
  /** Empires that share their vision with us (their units are our allies'), ascending. */
  sharedFrom: EmpireRow[];
  /**
   * The empire of the selected entity when it is another player's (not ours, not
   * NEUTRAL_EMPIRE) and we do not share with it yet: the "share vision" button's; else null.
   */
  offer: number | null;
}

/** The selected entity as the panel needs it. */
export interface SharingSelection {
  owner: number;
}

/** The empire of `sel` if it is another player's (not `myEmpire`'s, not neutral), else null. */
export function foreignEmpire(sel: SharingSelection | null, myEmpire: number | null): number | null {
  if (!sel || myEmpire === null || sel.owner === myEmpire || sel.owner === NEUTRAL_EMPIRE) return null;
  return sel.owner;
}

/**
 * The panel for our empire `myEmpire` (null before the Welcome: no panel) with the grants we
 * give (`sharesTo`) and take (`sharedFrom`) and the selected entity `sel`. Null, too, when there
 * is nothing to show: no grant either way and no empire to offer a share to.
 */
export function sharingModel(
  sel: SharingSelection | null,
  myEmpire: number | null,
  sharesTo: ReadonlySet<number>,
  sharedFrom: ReadonlySet<number>,
): SharingModel | null {
  if (myEmpire === null) return null;
  const selected = foreignEmpire(sel, myEmpire);
  const rows = (set: ReadonlySet<number>, other: ReadonlySet<number>): EmpireRow[] =>
    [...set]
      .sort((a, b) => a - b)
      .map((empire) => ({ empire, mutual: other.has(empire), selected: empire === selected }));
  const offer = selected !== null && !sharesTo.has(selected) ? selected : null;
  if (sharesTo.size === 0 && sharedFrom.size === 0 && offer === null) return null;
  return { sharesTo: rows(sharesTo, sharedFrom), sharedFrom: rows(sharedFrom, sharesTo), offer };
}

/** A key that changes whenever the panel must be rebuilt (any change of the model). */
export function sharingKey(m: SharingModel | null): string {
  return m === null ? "" : JSON.stringify(m);
}
