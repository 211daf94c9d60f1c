// The social layer, protocol version 5 (protocol/SPEC.md §21): the chat and alliance commands
// (command types 0x09 to 0x0f) and the Social message (0x8d, edge → client, stream), encoded and
// decoded with the checks of §9 (bad_enum fields `social_kind`, `chat_channel` and
// `alliance_role`; string limits of 512 bytes for chat, 32 for a player's name, 24 for an
// alliance's), plus the command constructors. Used by codec.ts. Version 6's friend and mail
// commands and Social kinds 4 to 7 (§22) are in friends.ts, to which the codes unknown here go.

import type { BitReader, BitWriter } from "./bits";
import { readFriendCommand, readFriendSocial, writeFriendCommand, writeFriendSocial } from "./friends";
import { U32, checkEnum, checkUint, codes, readEnum, readString, readVarint, writeString, writeVarint } from "./prim";
import {
  AllianceRole,
  ChatChannel,
  CommandType,
  MAX_ALLIANCE_NAME,
  MAX_CHAT_BYTES,
  MAX_PLAYER_NAME,
  MAX_USER_ID,
  SocialKind,
} from "./types";
import type { ChatCommand, Command, SocialCommand, SocialMsg } from "./types";

const CHAT_CHANNELS = codes(ChatChannel);
const ALLIANCE_ROLES = codes(AllianceRole);

function checkBool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") throw new RangeError(`${what} is not a boolean: ${String(v)}`);
  return v;
}

/** Writes a Chat command's fields: `to` (a user id) only, and always, on the Private channel. */
function writeChatCommand(w: BitWriter, c: ChatCommand): void {
  w.writeBits(checkEnum(c.channel, CHAT_CHANNELS, "chat channel"), 8);
  if (c.channel === ChatChannel.Private) {
    if (c.to === undefined) throw new RangeError("a private chat needs a user id `to`");
    writeVarint(w, checkUint(c.to, MAX_USER_ID, "to"));
  } else if (c.to !== undefined) {
    throw new RangeError(`only a private chat has an addressee: ${c.to}`);
  }
  writeString(w, c.text, MAX_CHAT_BYTES, "chat text");
}

// ---- commands -------------------------------------------------------------------------

/** Writes a social command's type and fields (SPEC.md §6.1); RangeError for what the wire cannot carry. */
export function writeSocialCommand(w: BitWriter, c: SocialCommand): void {
  switch (c.type) {
    case "chat":
      w.writeBits(CommandType.Chat, 8);
      writeChatCommand(w, c);
      break;
    case "createAlliance":
      w.writeBits(CommandType.CreateAlliance, 8);
      writeString(w, c.name, MAX_ALLIANCE_NAME, "alliance name");
      break;
    case "inviteToAlliance":
      w.writeBits(CommandType.InviteToAlliance, 8);
      writeVarint(w, checkUint(c.empire, U32, "empire"));
      break;
    case "joinAlliance":
      w.writeBits(CommandType.JoinAlliance, 8);
      writeVarint(w, checkUint(c.alliance, U32, "alliance"));
      break;
    case "leaveAlliance":
      w.writeBits(CommandType.LeaveAlliance, 8);
      break;
    case "kickFromAlliance":
      w.writeBits(CommandType.KickFromAlliance, 8);
      writeVarint(w, checkUint(c.empire, U32, "empire"));
      break;
    case "setAllianceRole":
      w.writeBits(CommandType.SetAllianceRole, 8);
      writeVarint(w, checkUint(c.empire, U32, "empire"));
      w.writeBits(checkEnum(c.role, ALLIANCE_ROLES, "alliance role"), 8);
      break;
    default:
      // The friend and mail commands (protocol version 6); RangeError for anything else.
      writeFriendCommand(w, c);
  }
}

/** Reads the fields of a social command whose type byte was `type`; any other type is `unknown_command`. */
export function readSocialCommand(r: BitReader, type: number): Command {
  switch (type) {
    case CommandType.Chat: {
      const channel = readEnum(r, 8, CHAT_CHANNELS, "chat_channel");
      if (channel === ChatChannel.Private) {
        const to = readVarint(r, 53);
        return { type: "chat", channel, to, text: readString(r, MAX_CHAT_BYTES) };
      }
      return { type: "chat", channel, text: readString(r, MAX_CHAT_BYTES) };
    }
    case CommandType.CreateAlliance:
      return { type: "createAlliance", name: readString(r, MAX_ALLIANCE_NAME) };
    case CommandType.InviteToAlliance:
      return { type: "inviteToAlliance", empire: readVarint(r, 32) };
    case CommandType.JoinAlliance:
      return { type: "joinAlliance", alliance: readVarint(r, 32) };
    case CommandType.LeaveAlliance:
      return { type: "leaveAlliance" };
    case CommandType.KickFromAlliance:
      return { type: "kickFromAlliance", empire: readVarint(r, 32) };
    case CommandType.SetAllianceRole: {
      const empire = readVarint(r, 32);
      return { type: "setAllianceRole", empire, role: readEnum(r, 8, ALLIANCE_ROLES, "alliance_role") };
    }
    default:
      // The friend and mail commands (protocol version 6); any other type is unknown_command.
      return readFriendCommand(r, type);
  }
}

// ---- the Social message ---------------------------------------------------------------

/** Writes a Social message's fields (after its type byte); RangeError for what the wire cannot carry. */
export function writeSocial(w: BitWriter, m: SocialMsg): void {
  switch (m.type) {
    case "chat":
      w.writeBits(SocialKind.Chat, 8);
      // Channel first, then the sender, then the addressee and the text.
      w.writeBits(checkEnum(m.channel, CHAT_CHANNELS, "chat channel"), 8);
      writeVarint(w, checkUint(m.from, MAX_USER_ID, "from"));
      writeString(w, m.fromName, MAX_PLAYER_NAME, "player name");
      if (m.channel === ChatChannel.Private) {
        writeVarint(w, checkUint(m.to, MAX_USER_ID, "to"));
      } else if (m.to !== 0) {
        throw new RangeError(`only a private chat has an addressee: ${m.to}`);
      }
      writeString(w, m.text, MAX_CHAT_BYTES, "chat text");
      break;
    case "alliance":
      w.writeBits(SocialKind.Alliance, 8);
      writeVarint(w, checkUint(m.alliance, U32, "alliance"));
      writeString(w, m.name, MAX_ALLIANCE_NAME, "alliance name");
      w.writeBits(checkEnum(m.role, ALLIANCE_ROLES, "alliance role"), 8);
      break;
    case "member":
      w.writeBits(SocialKind.Member, 8);
      writeVarint(w, checkUint(m.alliance, U32, "alliance"));
      writeVarint(w, checkUint(m.empire, U32, "empire"));
      writeString(w, m.name, MAX_PLAYER_NAME, "player name");
      w.writeBits(checkEnum(m.role, ALLIANCE_ROLES, "alliance role"), 8);
      w.writeBit(checkBool(m.present, "present"));
      break;
    case "invite":
      w.writeBits(SocialKind.Invite, 8);
      writeVarint(w, checkUint(m.alliance, U32, "alliance"));
      writeString(w, m.name, MAX_ALLIANCE_NAME, "alliance name");
      writeVarint(w, checkUint(m.from, U32, "from"));
      w.writeBit(checkBool(m.active, "active"));
      break;
    default:
      // Friends, mail and presence (protocol version 6); RangeError for anything else.
      writeFriendSocial(w, m);
  }
}

/** Reads a Social message's fields (after its type byte); throws DecodeError. */
export function readSocial(r: BitReader): SocialMsg {
  const kind = r.readBits(8);
  switch (kind) {
    case SocialKind.Chat: {
      const channel = readEnum(r, 8, CHAT_CHANNELS, "chat_channel");
      const from = readVarint(r, 53);
      const fromName = readString(r, MAX_PLAYER_NAME);
      const to = channel === ChatChannel.Private ? readVarint(r, 53) : 0;
      return { type: "chat", channel, from, fromName, to, text: readString(r, MAX_CHAT_BYTES) };
    }
    case SocialKind.Alliance: {
      const alliance = readVarint(r, 32);
      const name = readString(r, MAX_ALLIANCE_NAME);
      return { type: "alliance", alliance, name, role: readEnum(r, 8, ALLIANCE_ROLES, "alliance_role") };
    }
    case SocialKind.Member: {
      const alliance = readVarint(r, 32);
      const empire = readVarint(r, 32);
      const name = readString(r, MAX_PLAYER_NAME);
      const role = readEnum(r, 8, ALLIANCE_ROLES, "alliance_role");
      return { type: "member", alliance, empire, name, role, present: r.readBit() };
    }
    case SocialKind.Invite: {
      const alliance = readVarint(r, 32);
      const name = readString(r, MAX_ALLIANCE_NAME);
      const from = readVarint(r, 32);
      return { type: "invite", alliance, name, from, active: r.readBit() };
    }
    default:
      // Friends, mail and presence (protocol version 6); any other kind is bad_enum.
      return readFriendSocial(r, kind);
  }
}

// ---- constructors ---------------------------------------------------------------------

/** A Chat command: `text` on the Region or Alliance channel. */
export function chatCommand(channel: typeof ChatChannel.Region | typeof ChatChannel.Alliance, text: string): ChatCommand {
  return { type: "chat", channel, text };
}

/** A private Chat command: `text` to the player of user id `to`. */
export function privateChatCommand(to: number, text: string): ChatCommand {
  return { type: "chat", channel: ChatChannel.Private, to, text };
}

/** A CreateAlliance command: found an alliance named `name`, led by the sender. */
export function createAllianceCommand(name: string): SocialCommand {
  return { type: "createAlliance", name };
}

/** An InviteToAlliance command: invite empire `empire` to the sender's alliance. */
export function inviteToAllianceCommand(empire: number): SocialCommand {
  return { type: "inviteToAlliance", empire };
}

/** A JoinAlliance command: accept the invitation to `alliance`. */
export function joinAllianceCommand(alliance: number): SocialCommand {
  return { type: "joinAlliance", alliance };
}

/** A LeaveAlliance command. */
export function leaveAllianceCommand(): SocialCommand {
  return { type: "leaveAlliance" };
}

/** A KickFromAlliance command: remove member `empire`, or withdraw its invitation. */
export function kickFromAllianceCommand(empire: number): SocialCommand {
  return { type: "kickFromAlliance", empire };
}

/** A SetAllianceRole command: give member `empire` the role `role` (Leader hands the lead over). */
export function setAllianceRoleCommand(empire: number, role: number): SocialCommand {
  return { type: "setAllianceRole", empire, role };
}
