// The social layer (protocol version 5, SPEC.md §21) in the codec beyond the golden vectors: the
// chat and alliance commands, the Social message, their limits and checks, and the text rules.
import { describe, expect, it } from "vitest";
import {
  AllianceRole,
  BitWriter,
  ChatChannel,
  CommandError,
  CommandType,
  MAX_ALLIANCE_NAME,
  MAX_CHAT_BYTES,
  MAX_PLAYER_NAME,
  PROTOCOL_VERSION,
  ServerType,
  SocialKind,
  chatCommand,
  checkText,
  commandUnit,
  createAllianceCommand,
  decodeClientMsg,
  decodeServerMsg,
  encodeClientMsg,
  encodeServerMsg,
  inviteToAllianceCommand,
  joinAllianceCommand,
  kickFromAllianceCommand,
  leaveAllianceCommand,
  privateChatCommand,
  setAllianceRoleCommand,
  utf8Length,
} from "../src/protocol";
import type { ClientMsg, Command, ServerMsg, SocialMsg } from "../src/protocol";
import { failure } from "./extendedEvents";

const social = (s: SocialMsg): ServerMsg => ({ type: "social", social: s });
const command = (c: Command, seq = 1): ClientMsg => ({ type: "command", seq, command: c });

/** A Social message of `kind` whose body `body` writes. */
function socialBytes(kind: number, body: (w: BitWriter) => void): Uint8Array {
  const w = new BitWriter();
  w.writeBits(ServerType.Social, 8);
  w.writeBits(kind, 8);
  body(w);
  return w.finish();
}

describe("the social layer (protocol version 5)", () => {
  it("speaks version 5 (or later) with the new codes", () => {
    expect(PROTOCOL_VERSION).toBeGreaterThanOrEqual(5);
    expect(ServerType.Social).toBe(0x8d);
    expect([
      CommandType.Chat,
      CommandType.CreateAlliance,
      CommandType.InviteToAlliance,
      CommandType.JoinAlliance,
      CommandType.LeaveAlliance,
      CommandType.KickFromAlliance,
      CommandType.SetAllianceRole,
    ]).toEqual([9, 10, 11, 12, 13, 14, 15]);
    expect([CommandError.InvalidText, CommandError.NameTaken]).toEqual([21, 28]);
    expect(Object.values(ChatChannel)).toEqual([0, 1, 2]);
    expect(Object.values(AllianceRole)).toEqual([0, 1, 2]);
    expect(Object.values(SocialKind).slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it("builds every command and round-trips it", () => {
    const commands: Command[] = [
      chatCommand(ChatChannel.Region, "gg"),
      chatCommand(ChatChannel.Alliance, "<b>hi</b> & 你好"),
      privateChatCommand(Number.MAX_SAFE_INTEGER, "x".repeat(MAX_CHAT_BYTES)),
      createAllianceCommand("Blue Moon"),
      inviteToAllianceCommand(9),
      joinAllianceCommand(2 ** 32 - 1),
      leaveAllianceCommand(),
      kickFromAllianceCommand(300),
      setAllianceRoleCommand(9, AllianceRole.Leader),
    ];
    expect(commands[1]).toEqual({ type: "chat", channel: 1, text: "<b>hi</b> & 你好" });
    expect(commands[2]).toMatchObject({ type: "chat", channel: 2, to: Number.MAX_SAFE_INTEGER });
    expect(commands.map(commandUnit)).toEqual(commands.map(() => null));
    for (const [i, c] of commands.entries()) {
      const m = command(c, i);
      expect(decodeClientMsg(encodeClientMsg(m))).toStrictEqual(m);
    }
    // seq 1 | chat | private | to 300 | "hi"
    expect(Array.from(encodeClientMsg(command(privateChatCommand(300, "hi"))))).toEqual([
      0x02, 0x01, 0x09, 0x02, 0xac, 0x02, 0x02, 0x68, 0x69,
    ]);
    expect(Array.from(encodeClientMsg(command(leaveAllianceCommand())))).toEqual([0x02, 0x01, 0x0d]);
  });

  it("refuses commands the wire cannot carry", () => {
    const bad: Command[] = [
      { type: "chat", channel: ChatChannel.Private, text: "no addressee" },
      { type: "chat", channel: ChatChannel.Region, to: 5, text: "an addressee off the private channel" },
      { type: "chat", channel: 3, text: "x" },
      { type: "chat", channel: ChatChannel.Private, to: 2 ** 53, text: "x" },
      chatCommand(ChatChannel.Region, "x".repeat(MAX_CHAT_BYTES + 1)),
      // 171 three-byte characters: 513 bytes, though fewer than 512 UTF-16 units.
      chatCommand(ChatChannel.Region, "你".repeat(171)),
      createAllianceCommand("n".repeat(MAX_ALLIANCE_NAME + 1)),
      inviteToAllianceCommand(-1),
      joinAllianceCommand(2 ** 32),
      kickFromAllianceCommand(1.5),
      setAllianceRoleCommand(9, 3),
    ];
    for (const c of bad) expect(() => encodeClientMsg(command(c)), JSON.stringify(c).slice(0, 80)).toThrow(RangeError);
  });

  it("round-trips every Social kind at its limits", () => {
    const msgs: SocialMsg[] = [
      { type: "chat", channel: 0, from: 1, fromName: "a", to: 0, text: "<img src=x onerror=alert(1)>" },
      { type: "chat", channel: 1, from: 0, fromName: "n".repeat(MAX_PLAYER_NAME), to: 0, text: "y".repeat(512) },
      { type: "chat", channel: 2, from: 7, fromName: "", to: Number.MAX_SAFE_INTEGER, text: "\uFEFFhi" },
      { type: "alliance", alliance: 2 ** 32 - 1, name: "a".repeat(MAX_ALLIANCE_NAME), role: 2 },
      { type: "member", alliance: 3, empire: 9, name: "bob", role: 1, present: true },
      { type: "invite", alliance: 3, name: "Blue Moon", from: 5, active: false },
    ];
    for (const s of msgs) expect(decodeServerMsg(encodeServerMsg(social(s)))).toStrictEqual(social(s));
    for (const error of [21, 22, 23, 24, 25, 26, 27, 28]) {
      const m: ServerMsg = { type: "commandRejected", seq: 2, error };
      expect(decodeServerMsg(encodeServerMsg(m))).toStrictEqual(m);
    }
  });

  it("refuses Social messages the wire cannot carry", () => {
    const bad: unknown[] = [
      { type: "chat", channel: 0, from: 1, fromName: "a", to: 5, text: "region chat with an addressee" },
      { type: "chat", channel: 2, from: 2 ** 53, fromName: "a", to: 1, text: "x" },
      { type: "chat", channel: 0, from: 1, fromName: "n".repeat(MAX_PLAYER_NAME + 1), to: 0, text: "x" },
      { type: "alliance", alliance: 1, name: "n".repeat(MAX_ALLIANCE_NAME + 1), role: 0 },
      { type: "alliance", alliance: 1, name: "x", role: 3 },
      { type: "member", alliance: 1, empire: 2, name: "x", role: 0, present: 1 },
      { type: "invite", alliance: 1, name: "x", from: 2, active: "yes" },
      { type: "poke" },
    ];
    for (const s of bad) expect(() => encodeServerMsg(social(s as SocialMsg)), JSON.stringify(s)).toThrow(RangeError);
  });

  it("names the bad field of a bad enum", () => {
    expect(failure(() => decodeServerMsg(socialBytes(8, () => {}))).message).toContain("social_kind 8");
    const channel = socialBytes(SocialKind.Chat, (w) => w.writeBits(3, 8));
    expect(failure(() => decodeServerMsg(channel)).message).toContain("chat_channel 3");
    const role = socialBytes(SocialKind.Alliance, (w) => {
      w.writeBits(1, 8); // alliance 1
      w.writeBits(0, 8); // name ""
      w.writeBits(7, 8); // role 7
    });
    const err = failure(() => decodeServerMsg(role));
    expect([err.reason, err.message]).toEqual(["bad_enum", "bad_enum: alliance_role 7"]);
  });

  it("refuses truncated, over-long and trailing Social messages", () => {
    const bytes = encodeServerMsg(social({ type: "member", alliance: 300, empire: 9, name: "bob", role: 1, present: true }));
    for (let n = 1; n < bytes.length; n++) {
      expect(failure(() => decodeServerMsg(bytes.slice(0, n))).reason, `${n} bytes`).toBe("truncated");
    }
    expect(failure(() => decodeServerMsg(new Uint8Array([...bytes, 0]))).reason).toBe("trailing_bytes");
    // An Invite whose padding after `active` holds a one bit.
    const invite = socialBytes(SocialKind.Invite, (w) => {
      w.writeBits(1, 8);
      w.writeBits(0, 8);
      w.writeBits(2, 8);
      w.writeBit(true);
      w.writeBit(true);
    });
    expect(failure(() => decodeServerMsg(invite)).reason).toBe("nonzero_padding");
    const longText = socialBytes(SocialKind.Chat, (w) => {
      w.writeBits(0, 8); // region
      w.writeBits(1, 8); // from 1
      w.writeBits(0, 8); // name ""
      w.writeBits(0x81, 8); // text length 513
      w.writeBits(0x04, 8);
    });
    expect(failure(() => decodeServerMsg(longText)).reason).toBe("string_too_long");
  });
});

describe("the text rules (SPEC.md §21.1)", () => {
  it("accepts markup and multi-byte text: it is data", () => {
    expect(checkText("gg", 10)).toBeNull();
    expect(checkText("<b>hi</b> & 你好 🚀", 64)).toBeNull();
    expect(checkText("<img src=x onerror=alert(1)>", 512)).toBeNull();
    expect(checkText("\uFEFF", 8)).toBeNull();
  });

  it("refuses blank, over-long and forbidden text in the region's order", () => {
    expect(checkText("", 10)).toBe("empty");
    expect(checkText(" \t\u3000\u0085", 10)).toBe("empty");
    expect(checkText("abcdef", 5)).toBe("tooLong");
    // Bytes, not characters: three 3-byte characters are 9 bytes.
    expect(utf8Length("你好吗")).toBe(9);
    expect(checkText("你好吗", 8)).toBe("tooLong");
    for (const bad of ["a\u0000b", "a\u001b[2J", "a\u007f", "a\u0085", "x\u202Ey", "\u2066z", "a\u2028b", "a\uFFFF", "a\uFDD0", "a\uD800"]) {
      expect(checkText(bad, 64), JSON.stringify(bad)).toBe("forbidden");
    }
    expect(checkText("a\u{1FFFE}", 64)).toBe("forbidden");
    expect(checkText("a\nb", 10)).toBe("forbidden");
    expect(checkText("a\nb", 10, true)).toBeNull();
  });
});
