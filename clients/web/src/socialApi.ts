// The social part of `window.__starlane` (protocol/SPEC.md §21, §22): what the page knows of
// chat, alliances, friends and mail, and the commands as the panels send them, for browser tests.

import { CHAT_CHANNEL_NAMES, ChatChannel, FRIEND_STATE_NAMES, PRESENCE_NAMES } from "./protocol";
import type { CommandLog } from "./commands";
import type { Orders } from "./orders";
import type { SocialState } from "./socialModel";

/** A chat message as browser tests see it. */
export interface ChatView {
  /** 1 for the first message the page received, then 2, 3, ... */
  id: number;
  /** A ChatChannel code, and its name. */
  channel: number;
  channelName: string;
  from: number;
  fromName: string;
  /** The addressee of a private message (0 on the other channels). */
  to: number;
  text: string;
}

/** A friend, or a request either way, as browser tests see it. */
export interface FriendView {
  user: number;
  name: string;
  /** A FriendState code (1 requested: we asked, 2 asked: it asked, 3 friends), and its name. */
  state: number;
  stateName: string;
  /** A Presence code (0 offline, 1 online, 2 in game), and its name. */
  presence: number;
  presenceName: string;
}

/** A mail of our mailbox as browser tests see it. */
export interface MailView {
  id: number;
  from: number;
  fromName: string;
  /** Unix seconds. */
  sentAt: number;
  text: string;
}

/** The social state as browser tests see it. */
export interface SocialView {
  /** The chat log, oldest first (the last 200 messages). */
  chat: ChatView[];
  /** Our alliance and our role in it (an AllianceRole code), or null. */
  alliance: { id: number; name: string; role: number } | null;
  /** Its members (ourselves included), leader first. */
  members: { empire: number; name: string; role: number }[];
  /** The invitations our empire holds, by alliance id. */
  invites: { alliance: number; name: string; from: number }[];
  /** The empires whose units are drawn as allies' (blue): our alliance's and those sharing their vision with us, ascending. */
  allies: number[];
  /** Our friends and requests: asked first, then friends (in game first), then ours. */
  friends: FriendView[];
  /** Our mailbox, oldest first. */
  mail: MailView[];
}

/** The orders the social hooks send. */
export type SocialOrders = Pick<
  Orders,
  | "chat"
  | "createAlliance"
  | "inviteToAlliance"
  | "joinAlliance"
  | "leaveAlliance"
  | "kickFromAlliance"
  | "setAllianceRole"
  | "addFriend"
  | "removeFriend"
  | "sendMail"
  | "deleteMail"
>;

/** Sources the social hooks read from (live, not copies). */
export interface SocialApi {
  social: SocialState;
  /** The world's grants: the empires sharing their vision with us are allies too. */
  world: { readonly sharedFrom: ReadonlySet<number> };
  orders: SocialOrders;
  commands: CommandLog;
}

/** A chat channel by code or by name ("region", "alliance", "private"). */
export type ChannelArg = number | (typeof CHAT_CHANNEL_NAMES)[number];

/** The social hooks of `window.__starlane`. Every send returns the command's seq, or 0 if not sent. */
export interface SocialHandle {
  /** The chat log, our alliance, its members, our invitations, friends and mail (copies). */
  social(): SocialView;
  /** Says `text` on `channel`; `to` is the user id of a private message. */
  sendChat(channel: ChannelArg, text: string, to?: number): number;
  sendCreateAlliance(name: string): number;
  sendInviteToAlliance(empire: number): number;
  sendJoinAlliance(alliance: number): number;
  sendLeaveAlliance(): number;
  sendKickFromAlliance(empire: number): number;
  /** Gives member `empire` the role `role` (0 member, 1 officer, 2 leader: hands the lead over). */
  sendSetAllianceRole(empire: number, role: number): number;
  /** Asks player `user` (a user id) to be friends, or accepts its request. */
  sendAddFriend(user: number): number;
  /** Ends the friendship with `user`, or withdraws or declines a request. */
  sendRemoveFriend(user: number): number;
  /** Mails `text` (line breaks allowed) to player `to` (a user id). */
  sendMail(to: number, text: string): number;
  /** Deletes mail `id` from our mailbox. */
  sendDeleteMail(id: number): number;
}

function channelCode(c: ChannelArg): number {
  if (typeof c === "number") return c;
  const i = CHAT_CHANNEL_NAMES.indexOf(c);
  return i < 0 ? ChatChannel.Region : i;
}

/** Builds the social hooks over `src`. */
export function makeSocialHandle(src: SocialApi): SocialHandle {
  const seq = (sent: boolean): number => (sent ? src.commands.lastSentSeq : 0);
  return {
    social() {
      const s = src.social;
      return {
        chat: s.chat.map((m) => ({
          id: m.id,
          channel: m.channel,
          channelName: CHAT_CHANNEL_NAMES[m.channel] ?? `channel ${m.channel}`,
          from: m.from,
          fromName: m.fromName,
          to: m.to,
          text: m.text,
        })),
        alliance: s.alliance === null ? null : { ...s.alliance },
        members: s.sortedMembers().map((m) => ({ empire: m.empire, name: m.name, role: m.role })),
        invites: s.sortedInvites().map((i) => ({ ...i })),
        allies: [...s.allies(src.world.sharedFrom)].sort((x, y) => x - y),
        friends: s.sortedFriends().map((f) => ({
          user: f.user,
          name: f.name,
          state: f.state,
          stateName: FRIEND_STATE_NAMES[f.state] ?? `state ${f.state}`,
          presence: f.presence,
          presenceName: PRESENCE_NAMES[f.presence] ?? `presence ${f.presence}`,
        })),
        mail: s.inbox().map((m) => ({ id: m.id, from: m.from, fromName: m.fromName, sentAt: m.sentAt, text: m.text })),
      };
    },
    sendChat(channel: ChannelArg, text: string, to?: number) {
      return seq(src.orders.chat(channelCode(channel), text, to));
    },
    sendCreateAlliance(name: string) {
      return seq(src.orders.createAlliance(name));
    },
    sendInviteToAlliance(empire: number) {
      return seq(src.orders.inviteToAlliance(empire));
    },
    sendJoinAlliance(alliance: number) {
      return seq(src.orders.joinAlliance(alliance));
    },
    sendLeaveAlliance() {
      return seq(src.orders.leaveAlliance());
    },
    sendKickFromAlliance(empire: number) {
      return seq(src.orders.kickFromAlliance(empire));
    },
    sendSetAllianceRole(empire: number, role: number) {
      return seq(src.orders.setAllianceRole(empire, role));
    },
    sendAddFriend(user: number) {
      return seq(src.orders.addFriend(user));
    },
    sendRemoveFriend(user: number) {
      return seq(src.orders.removeFriend(user));
    },
    sendMail(to: number, text: string) {
      return seq(src.orders.sendMail(to, text));
    },
    sendDeleteMail(id: number) {
      return seq(src.orders.deleteMail(id));
    },
  };
}
