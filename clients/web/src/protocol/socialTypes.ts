// The social layer of protocol version 5 (protocol/SPEC.md §21): chat channels, alliance roles,
// the kinds of the Social message, the text limits, and the shapes of the social commands and
// of the Social message. Re-exported by types.ts; the codec is social.ts. Version 6's friends,
// mail and presence (§22) are in friendTypes.ts, re-exported here.

import type { FriendCommand, FriendMsg } from "./friendTypes";

export * from "./friendTypes";

/** Who a chat message is for (ChatChannel, `enum(8)`). */
export const ChatChannel = {
  /** Every player with a session in the sender's region. */
  Region: 0,
  /** Every member of the sender's alliance. */
  Alliance: 1,
  /** One player (a user id), wherever in the cluster it plays, and the sender. */
  Private: 2,
} as const;

/** Each chat channel's stable lowercase name, indexed by its code. */
export const CHAT_CHANNEL_NAMES = ["region", "alliance", "private"] as const;

/** A member's rank in its alliance (AllianceRole, `enum(8)`; SPEC.md §21.2). */
export const AllianceRole = {
  /** Chats and sees with the others. */
  Member: 0,
  /** Also invites, and removes members. */
  Officer: 1,
  /** Also removes officers and sets roles; one per alliance. */
  Leader: 2,
} as const;

/** Each alliance role's stable lowercase name, indexed by its code. */
export const ALLIANCE_ROLE_NAMES = ["member", "officer", "leader"] as const;

/** 8-bit kinds of a Social message (after its type byte; SPEC.md §21.3, and 4 to 7 since version 6, §22.4). */
export const SocialKind = {
  Chat: 0,
  Alliance: 1,
  Member: 2,
  Invite: 3,
  /** The receiving player's standing with another (protocol version 6). */
  Friend: 4,
  /** A friend's presence (protocol version 6). */
  Presence: 5,
  /** A mail in the receiving player's mailbox (protocol version 6). */
  Mail: 6,
  /** A mail left the mailbox (protocol version 6). */
  MailGone: 7,
} as const;

/** Most bytes of UTF-8 in a chat text on the wire (a region may allow fewer: TextTooLong). */
export const MAX_CHAT_BYTES = 512;
/** Most bytes of a player's name in a Social message. */
export const MAX_PLAYER_NAME = 32;
/** Most bytes of an alliance name. */
export const MAX_ALLIANCE_NAME = 24;
/** Fewest bytes of an alliance name (the region's rule: InvalidText below it; not a wire limit). */
export const MIN_ALLIANCE_NAME = 3;

/** The chat and alliance commands (SPEC.md §21.1, §21.2), and the friend and mail commands (§22). */
export type SocialCommand =
  /** Say `text` on `channel`; `to` (a user id) only, and always, on the Private channel. */
  | { type: "chat"; channel: number; to?: number; text: string }
  /** Found an alliance named `name`, with the sender as its leader. */
  | { type: "createAlliance"; name: string }
  /** Invite empire `empire` to the sender's alliance. */
  | { type: "inviteToAlliance"; empire: number }
  /** Accept the invitation to alliance `alliance`. */
  | { type: "joinAlliance"; alliance: number }
  /** Leave the sender's alliance. */
  | { type: "leaveAlliance" }
  /** Remove `empire` from the sender's alliance, or withdraw its invitation. */
  | { type: "kickFromAlliance"; empire: number }
  /** Give `empire`, a member, the role `role` (an AllianceRole code); Leader hands the lead over. */
  | { type: "setAllianceRole"; empire: number; role: number }
  /** Version 6: addFriend, removeFriend, sendMail, deleteMail. */
  | FriendCommand;

/** The Chat command. */
export type ChatCommand = Extract<SocialCommand, { type: "chat" }>;

/** A chat message as its readers get it (Social kind Chat). */
export interface ChatMessage {
  /** A ChatChannel code. */
  channel: number;
  /** The sender's user id. */
  from: number;
  /** The sender's name (at most MAX_PLAYER_NAME bytes). */
  fromName: string;
  /**
   * The addressee of a private message (0 on the other channels): the reader itself, or, in the
   * copy its sender gets, the player it wrote to.
   */
  to: number;
  /** The text: data, never markup. */
  text: string;
}

/** The receiving empire's alliance (Social kind Alliance); `alliance` 0: none. */
export interface AllianceNews {
  alliance: number;
  /** Its name ("" when none). */
  name: string;
  /** The receiving empire's role (an AllianceRole code). */
  role: number;
}

/** A member of the receiving empire's alliance (Social kind Member). */
export interface MemberNews {
  alliance: number;
  empire: number;
  /** Its player's name. */
  name: string;
  /** An AllianceRole code. */
  role: number;
  /** false: it left. */
  present: boolean;
}

/** An invitation of the receiving empire (Social kind Invite). */
export interface InviteNews {
  alliance: number;
  /** The alliance's name. */
  name: string;
  /** The inviting empire. */
  from: number;
  /** false: the invitation ended (accepted, withdrawn, or the alliance is gone). */
  active: boolean;
}

/** What the social layer tells one session (the `social` field of a Social message). */
export type SocialMsg =
  | ({ type: "chat" } & ChatMessage)
  | ({ type: "alliance" } & AllianceNews)
  | ({ type: "member" } & MemberNews)
  | ({ type: "invite" } & InviteNews)
  /** Version 6: friend, presence, mail, mailGone. */
  | FriendMsg;
