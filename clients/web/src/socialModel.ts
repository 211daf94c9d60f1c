// The client's social state (protocol/SPEC.md §21), fed by the Social messages of the stream:
// the chat log (the last MAX_CHAT_LOG messages), our empire's alliance and role, its members,
// and the invitations our empire holds. Pure logic: time is passed in. The chat panel, the
// alliance panel, the renderer (alliance members are allies) and `window.__starlane.social()`
// read it.

import type { ChatMessage, SocialMsg } from "./protocol";

/** Most chat messages kept; older ones are dropped. */
export const MAX_CHAT_LOG = 200;

/** A chat message as the client keeps it. */
export interface ChatEntry extends ChatMessage {
  /** 1 for the first message received since the page loaded, then 2, 3, ... */
  readonly id: number;
  /** When it arrived (ms, the clock of `now`). */
  readonly atMs: number;
}

/** Our empire's alliance. */
export interface OwnAlliance {
  id: number;
  name: string;
  /** Our role in it (an AllianceRole code). */
  role: number;
}

/** A member of our empire's alliance (ourselves included). */
export interface AllianceMember {
  /** The alliance it was reported in. */
  alliance: number;
  empire: number;
  /** Its player's name. */
  name: string;
  /** An AllianceRole code. */
  role: number;
}

/** An invitation our empire holds. */
export interface AllianceInvite {
  alliance: number;
  /** The alliance's name. */
  name: string;
  /** The inviting empire. */
  from: number;
}

/** The social state of one player. */
export class SocialState {
  /** The latest chat messages, oldest first, at most MAX_CHAT_LOG. */
  readonly chat: ChatEntry[] = [];
  /** Chat messages received since the page loaded (the id of the latest). */
  received = 0;
  /** Our empire's alliance, or null when it is in none. */
  alliance: OwnAlliance | null = null;
  /** The members of our alliance by empire (ourselves included). */
  readonly members = new Map<number, AllianceMember>();
  /** The invitations our empire holds, by alliance. */
  readonly invites = new Map<number, AllianceInvite>();
  /** Our empire (from the Welcome), to recognise ourselves among the members. */
  empire: number | null = null;

  /** The member empires other than ours; rebuilt when the members change. */
  private allyCache: ReadonlySet<number> = new Set<number>();
  private allyCacheValid = true;

  /** Applies one Social message received at time `now` (ms). */
  apply(msg: SocialMsg, now: number): void {
    switch (msg.type) {
      case "chat": {
        this.received++;
        const { channel, from, fromName, to, text } = msg;
        this.chat.push({ id: this.received, atMs: now, channel, from, fromName, to, text });
        if (this.chat.length > MAX_CHAT_LOG) this.chat.splice(0, this.chat.length - MAX_CHAT_LOG);
        break;
      }
      case "alliance":
        this.setAlliance(msg.alliance === 0 ? null : { id: msg.alliance, name: msg.name, role: msg.role });
        break;
      case "member":
        this.applyMember(msg.alliance, msg.empire, msg.name, msg.role, msg.present);
        break;
      case "invite":
        if (msg.active) this.invites.set(msg.alliance, { alliance: msg.alliance, name: msg.name, from: msg.from });
        else this.invites.delete(msg.alliance);
        break;
    }
  }

  /**
   * Forgets the alliance, its members and the invitations, keeping the chat log: a session that
   * opens again (a move to another edge, a new login) gets them all again (SPEC.md §21.3).
   */
  resetAlliance(): void {
    this.alliance = null;
    this.members.clear();
    this.invites.clear();
    this.allyCacheValid = false;
  }

  /** The empires of our alliance other than ours (drawn as allies). */
  allianceEmpires(): ReadonlySet<number> {
    if (!this.allyCacheValid) {
      const out = new Set<number>();
      if (this.alliance !== null) {
        for (const m of this.members.values()) if (m.empire !== this.empire) out.add(m.empire);
      }
      this.allyCache = out;
      this.allyCacheValid = true;
    }
    return this.allyCache;
  }

  /**
   * The empires whose units are drawn as allies': those sharing their vision with us
   * (`sharedFrom`, SPEC.md §20) and the members of our alliance.
   */
  allies(sharedFrom: ReadonlySet<number>): ReadonlySet<number> {
    const members = this.allianceEmpires();
    if (members.size === 0) return sharedFrom;
    if (sharedFrom.size === 0) return members;
    return new Set([...sharedFrom, ...members]);
  }

  /** The members of our alliance sorted by role (leader first), then empire. */
  sortedMembers(): AllianceMember[] {
    return [...this.members.values()].sort((a, b) => b.role - a.role || a.empire - b.empire);
  }

  /** The invitations sorted by alliance id. */
  sortedInvites(): AllianceInvite[] {
    return [...this.invites.values()].sort((a, b) => a.alliance - b.alliance);
  }

  private setAlliance(next: OwnAlliance | null): void {
    this.alliance = next;
    // Members of any other alliance (the one we left, or were removed from) go.
    for (const [empire, m] of this.members) if (m.alliance !== next?.id) this.members.delete(empire);
    this.allyCacheValid = false;
  }

  private applyMember(alliance: number, empire: number, name: string, role: number, present: boolean): void {
    // News of an alliance that is not ours (a late message about the one we left) is stale.
    if (this.alliance !== null && alliance !== this.alliance.id) return;
    this.allyCacheValid = false;
    if (!present) {
      this.members.delete(empire);
      if (empire === this.empire && this.alliance !== null) this.setAlliance(null);
      return;
    }
    this.members.set(empire, { alliance, empire, name, role });
    if (empire === this.empire && this.alliance !== null) this.alliance.role = role;
  }
}
