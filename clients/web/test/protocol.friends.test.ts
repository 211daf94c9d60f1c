// Friends, mail and presence (protocol version 6, SPEC.md §22) in the codec beyond the golden
// vectors: the friend and mail commands, the Social kinds 4 to 7, their limits and checks.
import { describe, expect, it } from "vitest";
import {
  BitWriter,
  CommandError,
  CommandType,
  DEFAULT_MAIL_MAX_BYTES,
  FriendState,
  MAX_MAIL_BYTES,
  MAX_PLAYER_NAME,
  PROTOCOL_VERSION,
  Presence,
  ServerType,
  SocialKind,
  addFriendCommand,
  commandUnit,
  decodeClientMsg,
  decodeServerMsg,
  deleteMailCommand,
  encodeClientMsg,
  encodeServerMsg,
  removeFriendCommand,
  sendMailCommand,
} from "../src/protocol";
import type { ClientMsg, Command, ServerMsg, SocialMsg } from "../src/protocol";
import { failure } from "./extendedEvents";

const social = (s: SocialMsg): ServerMsg => ({ type: "social", social: s });
const command = (c: Command, seq = 1): ClientMsg => ({ type: "command", seq, command: c });
const MAX = Number.MAX_SAFE_INTEGER;

/** A Social message of `kind` whose body `body` writes. */
function socialBytes(kind: number, body: (w: BitWriter) => void): Uint8Array {
  const w = new BitWriter();
  w.writeBits(ServerType.Social, 8);
  w.writeBits(kind, 8);
  body(w);
  return w.finish();
}

describe("friends, mail and presence (protocol version 6)", () => {
  it("speaks version 6 with the new codes", () => {
    expect(PROTOCOL_VERSION).toBe(6);
    expect([CommandType.AddFriend, CommandType.RemoveFriend, CommandType.SendMail, CommandType.DeleteMail]).toEqual([
      0x10, 0x11, 0x12, 0x13,
    ]);
    expect([CommandError.UnknownPlayer, CommandError.FriendLimit, CommandError.MailboxFull, CommandError.UnknownMail]).toEqual([
      29, 30, 31, 32,
    ]);
    expect([SocialKind.Friend, SocialKind.Presence, SocialKind.Mail, SocialKind.MailGone]).toEqual([4, 5, 6, 7]);
    expect(Object.values(FriendState)).toEqual([0, 1, 2, 3]);
    expect(Object.values(Presence)).toEqual([0, 1, 2]);
    expect([MAX_MAIL_BYTES, DEFAULT_MAIL_MAX_BYTES]).toEqual([2000, 1000]);
  });

  it("builds every command and round-trips it", () => {
    const commands: Command[] = [
      addFriendCommand(42),
      addFriendCommand(MAX),
      removeFriendCommand(1),
      sendMailCommand(7, "Trade?\n<i>metal</i> for 你好 🚀"),
      sendMailCommand(MAX, "m".repeat(MAX_MAIL_BYTES)),
      deleteMailCommand(300),
      deleteMailCommand(MAX),
    ];
    expect(commands[3]).toEqual({ type: "sendMail", to: 7, text: "Trade?\n<i>metal</i> for 你好 🚀" });
    expect(commands.map(commandUnit)).toEqual(commands.map(() => null));
    for (const [i, c] of commands.entries()) {
      const m = command(c, i);
      expect(decodeClientMsg(encodeClientMsg(m))).toStrictEqual(m);
    }
    // seq 1 | addFriend | user 300
    expect(Array.from(encodeClientMsg(command(addFriendCommand(300))))).toEqual([0x02, 0x01, 0x10, 0xac, 0x02]);
    // seq 1 | sendMail | to 2 | "a\nb"
    expect(Array.from(encodeClientMsg(command(sendMailCommand(2, "a\nb"))))).toEqual([0x02, 0x01, 0x12, 0x02, 0x03, 0x61, 0x0a, 0x62]);
  });

  it("refuses commands the wire cannot carry", () => {
    const bad: Command[] = [
      addFriendCommand(2 ** 53),
      addFriendCommand(-1),
      removeFriendCommand(1.5),
      sendMailCommand(2 ** 53, "x"),
      sendMailCommand(1, "x".repeat(MAX_MAIL_BYTES + 1)),
      // 667 three-byte characters: 2001 bytes, though fewer than 2000 UTF-16 units.
      sendMailCommand(1, "你".repeat(667)),
      deleteMailCommand(2 ** 53),
      deleteMailCommand(Number.NaN),
      { type: "sendMail", to: 1 } as unknown as Command,
    ];
    for (const c of bad) expect(() => encodeClientMsg(command(c)), JSON.stringify(c).slice(0, 80)).toThrow(RangeError);
  });

  it("round-trips every version-6 Social kind at its limits", () => {
    const msgs: SocialMsg[] = [
      { type: "friend", user: MAX, name: "n".repeat(MAX_PLAYER_NAME), state: FriendState.Asked, presence: Presence.Offline },
      { type: "friend", user: 7, name: "<b>carol</b>", state: FriendState.Friends, presence: Presence.InGame },
      { type: "friend", user: 1, name: "", state: FriendState.None, presence: Presence.Offline },
      { type: "presence", user: MAX, presence: Presence.Online },
      { type: "mail", id: MAX, from: MAX, fromName: "n".repeat(MAX_PLAYER_NAME), sentAt: MAX, text: "z".repeat(MAX_MAIL_BYTES) },
      { type: "mail", id: 1, from: 42, fromName: "alice", sentAt: 1796000000, text: "<img src=x onerror=alert(1)>\n你好" },
      { type: "mailGone", id: 300 },
    ];
    for (const s of msgs) expect(decodeServerMsg(encodeServerMsg(social(s)))).toStrictEqual(social(s));
    for (const error of [29, 30, 31, 32]) {
      const m: ServerMsg = { type: "commandRejected", seq: 2, error };
      expect(decodeServerMsg(encodeServerMsg(m))).toStrictEqual(m);
    }
  });

  it("refuses Social messages the wire cannot carry", () => {
    const bad: unknown[] = [
      { type: "friend", user: 2 ** 53, name: "a", state: 1, presence: 0 },
      { type: "friend", user: 1, name: "n".repeat(MAX_PLAYER_NAME + 1), state: 1, presence: 0 },
      { type: "friend", user: 1, name: "a", state: 4, presence: 0 },
      { type: "friend", user: 1, name: "a", state: 3, presence: 3 },
      { type: "presence", user: -1, presence: 0 },
      { type: "presence", user: 1, presence: 7 },
      { type: "mail", id: 2 ** 53, from: 1, fromName: "a", sentAt: 0, text: "x" },
      { type: "mail", id: 1, from: 1, fromName: "a", sentAt: -5, text: "x" },
      { type: "mail", id: 1, from: 1, fromName: "a", sentAt: 0, text: "x".repeat(MAX_MAIL_BYTES + 1) },
      { type: "mailGone", id: 0.5 },
    ];
    for (const s of bad) expect(() => encodeServerMsg(social(s as SocialMsg)), JSON.stringify(s).slice(0, 80)).toThrow(RangeError);
  });

  it("names the bad field of a bad enum", () => {
    expect(failure(() => decodeServerMsg(socialBytes(8, () => {}))).message).toContain("social_kind 8");
    const state = socialBytes(SocialKind.Friend, (w) => {
      w.writeBits(1, 8); // user 1
      w.writeBits(0, 8); // name ""
      w.writeBits(4, 8); // state 4
      w.writeBits(0, 8);
    });
    expect(failure(() => decodeServerMsg(state)).message).toBe("bad_enum: friend_state 4");
    const presence = socialBytes(SocialKind.Presence, (w) => {
      w.writeBits(1, 8); // user 1
      w.writeBits(3, 8); // presence 3
    });
    expect(failure(() => decodeServerMsg(presence)).message).toBe("bad_enum: presence 3");
    const command20 = new Uint8Array([0x02, 0x01, 0x14]);
    expect(failure(() => decodeClientMsg(command20)).reason).toBe("unknown_command");
  });

  it("refuses truncated, over-long and trailing messages", () => {
    const mail = social({ type: "mail", id: 300, from: 42, fromName: "alice", sentAt: 1796000000, text: "hi\nthere" });
    const bytes = encodeServerMsg(mail);
    for (let n = 1; n < bytes.length; n++) {
      expect(failure(() => decodeServerMsg(bytes.slice(0, n))).reason, `${n} bytes`).toBe("truncated");
    }
    expect(failure(() => decodeServerMsg(new Uint8Array([...bytes, 0]))).reason).toBe("trailing_bytes");
    const cmd = encodeClientMsg(command(sendMailCommand(MAX, "hello")));
    for (let n = 3; n < cmd.length; n++) {
      expect(failure(() => decodeClientMsg(cmd.slice(0, n))).reason, `${n} bytes`).toBe("truncated");
    }
    const longText = socialBytes(SocialKind.Mail, (w) => {
      w.writeBits(1, 8); // id 1
      w.writeBits(2, 8); // from 2
      w.writeBits(0, 8); // name ""
      w.writeBits(5, 8); // sent at 5
      w.writeBits(0xd1, 8); // text length 2001
      w.writeBits(0x0f, 8);
    });
    expect(failure(() => decodeServerMsg(longText)).reason).toBe("string_too_long");
    // A user id of 2^53 (eight groups, the last one over the 53 bits).
    const tooLarge = new Uint8Array([0x02, 0x01, 0x11, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(failure(() => decodeClientMsg(tooLarge)).reason).toBe("varint_overflow");
  });
});
