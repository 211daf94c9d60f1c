// Friends, mail and presence, protocol version 6 (protocol/SPEC.md §22): the friend and mail
// commands (command types 0x10 to 0x13) and the Social kinds 4 to 7 (Friend, Presence, Mail,
// MailGone), encoded and decoded with the checks of §9 (bad_enum fields `friend_state` and
// `presence`; string limits of 2000 bytes for a mail, 32 for a player's name; user and mail ids
// and times are varint(53)), plus the command constructors. Used by social.ts, which hands over
// the codes it does not know.

import type { BitReader, BitWriter } from "./bits";
import { checkEnum, checkUint, codes, readEnum, readString, readVarint, writeString, writeVarint } from "./prim";
import { CommandType, DecodeError, MAX_PLAYER_NAME, MAX_USER_ID, SocialKind } from "./types";
import { FriendState, MAX_MAIL_BYTES, MAX_MAIL_ID, Presence } from "./friendTypes";
import type { FriendCommand, FriendMsg } from "./friendTypes";

const FRIEND_STATES = codes(FriendState);
const PRESENCES = codes(Presence);
/** Unix seconds fit the varint(53) of `sent_at`. */
const MAX_SENT_AT = Number.MAX_SAFE_INTEGER;

// ---- commands -------------------------------------------------------------------------

/** Writes a friend or mail command's type and fields (SPEC.md §6.1); RangeError for what the wire cannot carry. */
export function writeFriendCommand(w: BitWriter, c: FriendCommand): void {
  switch (c.type) {
    case "addFriend":
      w.writeBits(CommandType.AddFriend, 8);
      writeVarint(w, checkUint(c.user, MAX_USER_ID, "user"));
      break;
    case "removeFriend":
      w.writeBits(CommandType.RemoveFriend, 8);
      writeVarint(w, checkUint(c.user, MAX_USER_ID, "user"));
      break;
    case "sendMail":
      w.writeBits(CommandType.SendMail, 8);
      writeVarint(w, checkUint(c.to, MAX_USER_ID, "to"));
      writeString(w, c.text, MAX_MAIL_BYTES, "mail text");
      break;
    case "deleteMail":
      w.writeBits(CommandType.DeleteMail, 8);
      writeVarint(w, checkUint(c.id, MAX_MAIL_ID, "mail id"));
      break;
    default:
      throw new RangeError(`invalid command ${JSON.stringify(c)}`);
  }
}

/** Reads the fields of a friend or mail command whose type byte was `type`; any other type is `unknown_command`. */
export function readFriendCommand(r: BitReader, type: number): FriendCommand {
  switch (type) {
    case CommandType.AddFriend:
      return { type: "addFriend", user: readVarint(r, 53) };
    case CommandType.RemoveFriend:
      return { type: "removeFriend", user: readVarint(r, 53) };
    case CommandType.SendMail: {
      const to = readVarint(r, 53);
      return { type: "sendMail", to, text: readString(r, MAX_MAIL_BYTES) };
    }
    case CommandType.DeleteMail:
      return { type: "deleteMail", id: readVarint(r, 53) };
    default:
      throw new DecodeError("unknown_command", `${type}`);
  }
}

// ---- the Social kinds 4 to 7 ----------------------------------------------------------

/** Writes a version-6 Social message's kind and fields; RangeError for what the wire cannot carry. */
export function writeFriendSocial(w: BitWriter, m: FriendMsg): void {
  switch (m.type) {
    case "friend":
      w.writeBits(SocialKind.Friend, 8);
      writeVarint(w, checkUint(m.user, MAX_USER_ID, "user"));
      writeString(w, m.name, MAX_PLAYER_NAME, "player name");
      w.writeBits(checkEnum(m.state, FRIEND_STATES, "friend state"), 8);
      w.writeBits(checkEnum(m.presence, PRESENCES, "presence"), 8);
      break;
    case "presence":
      w.writeBits(SocialKind.Presence, 8);
      writeVarint(w, checkUint(m.user, MAX_USER_ID, "user"));
      w.writeBits(checkEnum(m.presence, PRESENCES, "presence"), 8);
      break;
    case "mail":
      w.writeBits(SocialKind.Mail, 8);
      writeVarint(w, checkUint(m.id, MAX_MAIL_ID, "mail id"));
      writeVarint(w, checkUint(m.from, MAX_USER_ID, "from"));
      writeString(w, m.fromName, MAX_PLAYER_NAME, "player name");
      writeVarint(w, checkUint(m.sentAt, MAX_SENT_AT, "sentAt"));
      writeString(w, m.text, MAX_MAIL_BYTES, "mail text");
      break;
    case "mailGone":
      w.writeBits(SocialKind.MailGone, 8);
      writeVarint(w, checkUint(m.id, MAX_MAIL_ID, "mail id"));
      break;
    default:
      throw new RangeError(`invalid social message ${JSON.stringify(m)}`);
  }
}

/** Reads the fields of a version-6 Social message of `kind`; any other kind is `bad_enum` (`social_kind`). */
export function readFriendSocial(r: BitReader, kind: number): FriendMsg {
  switch (kind) {
    case SocialKind.Friend: {
      const user = readVarint(r, 53);
      const name = readString(r, MAX_PLAYER_NAME);
      const state = readEnum(r, 8, FRIEND_STATES, "friend_state");
      return { type: "friend", user, name, state, presence: readEnum(r, 8, PRESENCES, "presence") };
    }
    case SocialKind.Presence: {
      const user = readVarint(r, 53);
      return { type: "presence", user, presence: readEnum(r, 8, PRESENCES, "presence") };
    }
    case SocialKind.Mail: {
      const id = readVarint(r, 53);
      const from = readVarint(r, 53);
      const fromName = readString(r, MAX_PLAYER_NAME);
      const sentAt = readVarint(r, 53);
      return { type: "mail", id, from, fromName, sentAt, text: readString(r, MAX_MAIL_BYTES) };
    }
    case SocialKind.MailGone:
      return { type: "mailGone", id: readVarint(r, 53) };
    default:
      throw new DecodeError("bad_enum", `social_kind ${kind}`);
  }
}

// ---- constructors ---------------------------------------------------------------------

/** An AddFriend command: ask player `user` to be friends, or accept its request. */
export function addFriendCommand(user: number): FriendCommand {
  return { type: "addFriend", user };
}

/** A RemoveFriend command: end the friendship with `user`, or withdraw or decline a request. */
export function removeFriendCommand(user: number): FriendCommand {
  return { type: "removeFriend", user };
}

/** A SendMail command: store `text` (line breaks allowed) in the mailbox of player `to`. */
export function sendMailCommand(to: number, text: string): FriendCommand {
  return { type: "sendMail", to, text };
}

/** A DeleteMail command: delete mail `id` from the sender's mailbox. */
export function deleteMailCommand(id: number): FriendCommand {
  return { type: "deleteMail", id };
}
