// The client's social state (protocol/SPEC.md §21, §22), fed by the Social messages of the
// stream: the chat log (the last MAX_CHAT_LOG messages), our empire's alliance and role, its
// members, the invitations our empire holds, and (version 6) our friends and requests with their
// presence and our mailbox. Pure logic: time is passed in. The chat, alliance, friends and mail
// panels, the renderer (alliance members are allies) and `window.__starlane.social()` read it.

import { FriendState, type ChatMessage, type MailItem, type SocialMsg } from "./protocol";

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

/** A player we stand with: a friend, or a request either way (SPEC.md §22.1). */
export interface FriendEntry {
  /** Its user id. */
  readonly user: number;
  /** Its player's name. */
  name: string;
  /** A FriendState code other than None: Requested (we asked), Asked (it asked) or Friends. */
  state: number;
  /** A Presence code (Offline unless `state` is Friends). */
  presence: number;
}

/** A mail of our mailbox, as received (SPEC.md §22.2). */
export type MailEntry = Readonly<MailItem>;

/** The order of the friend states in the list: requests to answer first, then friends, then ours. */
const FRIEND_ORDER: Record<number, number> = { [FriendState.Asked]: 0, [FriendState.Friends]: 1, [FriendState.Requested]: 2 };

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
  /** Our friends and the requests either way, by user id (SPEC.md §22.1). */
  readonly friends = new Map<number, FriendEntry>();
  /** Our mailbox, by mail id (SPEC.md §22.2). */
  readonly mail = new Map<number, MailEntry>();
  /** Bumped on every change of `friends` (the panel rebuilds its list when it moves). */
  friendsRevision = 0;
  /** Bumped on every change of `mail`. */
  mailRevision = 0;

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
      case "friend":
        // None: the friendship or the request ended.
        if (msg.state === FriendState.None) this.friends.delete(msg.user);
        else this.friends.set(msg.user, { user: msg.user, name: msg.name, state: msg.state, presence: msg.presence });
        this.friendsRevision++;
        break;
      case "presence": {
        // Only friends' presences are sent; one of a player we no longer list is stale.
        const f = this.friends.get(msg.user);
        if (f === undefined || f.presence === msg.presence) break;
        f.presence = msg.presence;
        this.friendsRevision++;
        break;
      }
      case "mail": {
        const { id, from, fromName, sentAt, text } = msg;
        this.mail.set(id, { id, from, fromName, sentAt, text });
        this.mailRevision++;
        break;
      }
      case "mailGone":
        if (this.mail.delete(msg.id)) this.mailRevision++;
        break;
    }
  }

  /**
   * Forgets the friends, the requests and the mailbox: a session that opens again (a move to
   * another edge, a new login) gets them all again (SPEC.md §22.1, §22.2).
   */
  resetFriendsAndMail(): void {
    this.friends.clear();
    this.mail.clear();
    this.friendsRevision++;
    this.mailRevision++;
  }

  /**
   * The friends and requests: requests to answer (Asked) first, then friends (in game, online,
   * offline), then our own requests; each by name, then user id.
   */
  sortedFriends(): FriendEntry[] {
    const rank = (f: FriendEntry): number => FRIEND_ORDER[f.state] ?? 3;
    return [...this.friends.values()].sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (a.state === FriendState.Friends ? b.presence - a.presence : 0) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
        a.user - b.user,
    );
  }

  /** The mailbox, oldest first (by time sent, then id). */
  inbox(): MailEntry[] {
    return [...this.mail.values()].sort((a, b) => a.sentAt - b.sentAt || a.id - b.id);
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
