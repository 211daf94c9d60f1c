// Friends, mail and presence, protocol version 6 (protocol/SPEC.md §22): the friend states and
// presences, the mail limits, and the shapes of the friend and mail commands and of the Social
// kinds 4 to 7. Re-exported by types.ts (through socialTypes.ts); the codec is friends.ts.

/** Where the receiving player stands with another (FriendState, `enum(8)`; SPEC.md §22.1). */
export const FriendState = {
  /** No standing: the friendship or the request ended. */
  None: 0,
  /** The receiving player asked; the other has not answered. */
  Requested: 1,
  /** The other player asked the receiving one. */
  Asked: 2,
  /** Both asked: friends. */
  Friends: 3,
} as const;

/** Each friend state's stable lowercase name, indexed by its code. */
export const FRIEND_STATE_NAMES = ["none", "requested", "asked", "friends"] as const;

/** Where a player is (Presence, `enum(8)`; SPEC.md §22.3). */
export const Presence = {
  /** No session anywhere in the cluster. */
  Offline: 0,
  /** Connected, but idle for the region's `idle_secs`. */
  Online: 1,
  /** Connected and playing. */
  InGame: 2,
} as const;

/** Each presence's stable lowercase name, indexed by its code. */
export const PRESENCE_NAMES = ["offline", "online", "in game"] as const;

/** Most bytes of UTF-8 in a mail text on the wire (a region may allow fewer: TextTooLong). */
export const MAX_MAIL_BYTES = 2000;
/**
 * The region's default `[social] mail_max_bytes` (SPEC.md §22.2): what the client checks a
 * draft against, since it is not told the region's own (the region refuses more with
 * TextTooLong anyway).
 */
export const DEFAULT_MAIL_MAX_BYTES = 1000;
/** Largest mail id on the wire (2^53 - 1, exact in a JS number). */
export const MAX_MAIL_ID = Number.MAX_SAFE_INTEGER;

/** The friend and mail commands (SPEC.md §22.1, §22.2); user and mail ids are at most 2^53 - 1. */
export type FriendCommand =
  /** Ask player `user` to be friends, or accept its request. */
  | { type: "addFriend"; user: number }
  /** End the friendship with `user`, withdraw the request to it, or decline its request. */
  | { type: "removeFriend"; user: number }
  /** Store `text` (line breaks allowed) in the mailbox of player `to`. */
  | { type: "sendMail"; to: number; text: string }
  /** Delete mail `id` from the sender's mailbox. */
  | { type: "deleteMail"; id: number };

/** The receiving player's standing with another (Social kind Friend). */
export interface FriendNews {
  /** The other player's user id. */
  user: number;
  /** Its name (at most MAX_PLAYER_NAME bytes). */
  name: string;
  /** A FriendState code: the receiving player's standing with `user` (None: it ended). */
  state: number;
  /** A Presence code: where `user` is (always Offline unless `state` is Friends). */
  presence: number;
}

/** A friend's presence changed (Social kind Presence). */
export interface PresenceNews {
  /** The friend's user id. */
  user: number;
  /** A Presence code. */
  presence: number;
}

/** A mail in the receiving player's mailbox (Social kind Mail): new, or kept when the session opens. */
export interface MailItem {
  /** Its id, unique in the cluster. */
  id: number;
  /** The sender's user id. */
  from: number;
  /** The sender's name when it wrote. */
  fromName: string;
  /** When it was sent, in Unix seconds. */
  sentAt: number;
  /** The text (at most MAX_MAIL_BYTES): data, never markup; it may hold line breaks. */
  text: string;
}

/** What version 6 of the social layer tells one session (Social kinds 4 to 7). */
export type FriendMsg =
  | ({ type: "friend" } & FriendNews)
  | ({ type: "presence" } & PresenceNews)
  | ({ type: "mail" } & MailItem)
  /** Mail `id` left the receiving player's mailbox (deleted). */
  | { type: "mailGone"; id: number };
