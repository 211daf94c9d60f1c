// What the alliance panel shows (pure; alliancePanel.ts draws it): our alliance and role, its
// members with what our role lets us do to each (remove, promote, demote, hand the lead over),
// the invitation offer for the empire of a selected foreign unit, and the invitations we hold
// (protocol/SPEC.md §21.2). The region decides; the panel offers only what it would allow.

import { ALLIANCE_ROLE_NAMES, AllianceRole, MAX_ALLIANCE_NAME, MIN_ALLIANCE_NAME, checkText, utf8Length } from "./protocol";
import { type SharingSelection, foreignEmpire } from "./sharingView";
import type { SocialState } from "./socialModel";

/** The name of an AllianceRole code. */
export function roleName(role: number): string {
  return ALLIANCE_ROLE_NAMES[role] ?? `role ${role}`;
}

/** A member of our alliance as the panel lists it. */
export interface MemberRow {
  empire: number;
  name: string;
  role: number;
  /** Whether it is our empire. */
  me: boolean;
  /** Whether the selected entity belongs to it. */
  selected: boolean;
  /** We are an officer or the leader, and hold a higher role than it. */
  canKick: boolean;
  /** We lead and it is a member: it may become an officer. */
  canPromote: boolean;
  /** We lead and it is an officer: it may become a member. */
  canDemote: boolean;
  /** We lead: it may take the lead (we become an officer). */
  canLead: boolean;
}

/** An invitation we hold, as the panel lists it. */
export interface InviteRow {
  alliance: number;
  name: string;
  from: number;
}

/** The panel's content. */
export interface AllianceModel {
  /** Our alliance, or null when we are in none (the create form shows). */
  alliance: { id: number; name: string; role: number } | null;
  /** Its members: leader first, then by role and empire. */
  members: MemberRow[];
  /** Whether our role lets us invite (officer or leader). */
  canInvite: boolean;
  /** The empire of the selected foreign unit, when we may invite it and it is not a member; else null. */
  offer: number | null;
  /** The invitations we hold, by alliance id; accepted only while we are in no alliance. */
  invites: InviteRow[];
}

/**
 * The panel for our empire `myEmpire` (null before the Welcome: no panel) with the social state
 * `s` and the selected entity `sel`.
 */
export function allianceModel(s: SocialState, myEmpire: number | null, sel: SharingSelection | null): AllianceModel | null {
  if (myEmpire === null) return null;
  const invites = s.sortedInvites().map((i) => ({ alliance: i.alliance, name: i.name, from: i.from }));
  const own = s.alliance;
  if (own === null) return { alliance: null, members: [], canInvite: false, offer: null, invites };
  const myRole = own.role;
  const leads = myRole === AllianceRole.Leader;
  const selected = foreignEmpire(sel, myEmpire);
  const members = s.sortedMembers().map((m) => {
    const me = m.empire === myEmpire;
    return {
      empire: m.empire,
      name: m.name,
      role: m.role,
      me,
      selected: m.empire === selected,
      canKick: !me && myRole >= AllianceRole.Officer && myRole > m.role,
      canPromote: !me && leads && m.role === AllianceRole.Member,
      canDemote: !me && leads && m.role === AllianceRole.Officer,
      canLead: !me && leads,
    };
  });
  const canInvite = myRole >= AllianceRole.Officer;
  const offer = canInvite && selected !== null && !s.members.has(selected) ? selected : null;
  return { alliance: { id: own.id, name: own.name, role: myRole }, members, canInvite, offer, invites };
}

/** A key that changes whenever the panel must be rebuilt (any change of the model). */
export function allianceKey(m: AllianceModel | null): string {
  return m === null ? "" : JSON.stringify(m);
}

/** What is wrong with alliance name `name` by the region's rules (3 to 24 bytes, §21.1), or "" if nothing. */
export function allianceNameProblem(name: string): string {
  const problem = checkText(name, MAX_ALLIANCE_NAME);
  if (problem === "empty") return "type a name";
  if (problem === "tooLong") return `too long: ${utf8Length(name)} of ${MAX_ALLIANCE_NAME} bytes`;
  if (problem === "forbidden") return "holds a control or direction character";
  if (utf8Length(name) < MIN_ALLIANCE_NAME) return `too short: at least ${MIN_ALLIANCE_NAME} bytes`;
  return "";
}

/** An empire id typed in the panel (a whole number from 1 to 2^32 - 1), or null. */
export function parseEmpireId(text: string): number | null {
  const t = text.trim().replace(/^#/, "");
  if (!/^[0-9]{1,10}$/.test(t)) return null;
  const id = Number(t);
  return id >= 1 && id <= 0xffffffff ? id : null;
}
