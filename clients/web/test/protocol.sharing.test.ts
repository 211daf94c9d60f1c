// Shared vision (protocol version 4, SPEC.md §20) in the codec beyond the golden vectors: the
// ShareVision and RevokeVision commands, the extended event (tag 7) and its Sharing kind.
import { describe, expect, it } from "vitest";
import {
  ClientType,
  CommandError,
  CommandType,
  EventTag,
  ExtendedEventKind,
  PROTOCOL_VERSION,
  commandUnit,
  decodeClientMsg,
  decodeServerMsg,
  encodeClientMsg,
  encodeServerMsg,
  revokeVisionCommand,
  shareVisionCommand,
} from "../src/protocol";
import type { ClientMsg, Command, DeltaEvent, ServerMsg } from "../src/protocol";
import { extendedPacket, failure, packet } from "./extendedEvents";

describe("shared vision (protocol version 4)", () => {
  it("speaks version 4 (or later) with the new codes", () => {
    expect(PROTOCOL_VERSION).toBeGreaterThanOrEqual(4);
    expect(CommandType.ShareVision).toBe(0x07);
    expect(CommandType.RevokeVision).toBe(0x08);
    expect([CommandError.InvalidEmpire, CommandError.TooManyGrants, CommandError.NotShared]).toEqual([18, 19, 20]);
    expect(EventTag.Extended).toBe(7);
    expect(ExtendedEventKind.Sharing).toBe(0);
  });

  it("builds the commands and round-trips them", () => {
    const commands: Command[] = [shareVisionCommand(7), revokeVisionCommand(4_000_000_001), shareVisionCommand(2 ** 32 - 1)];
    expect(commands[0]).toEqual({ type: "shareVision", to: 7 });
    expect(commands[1]).toEqual({ type: "revokeVision", to: 4_000_000_001 });
    expect(commands.map(commandUnit)).toEqual([null, null, null]);
    for (const [i, command] of commands.entries()) {
      const m: ClientMsg = { type: "command", seq: i, command };
      expect(decodeClientMsg(encodeClientMsg(m))).toStrictEqual(m);
    }
    // seq 30 | share_vision | to 7
    expect(Array.from(encodeClientMsg({ type: "command", seq: 30, command: shareVisionCommand(7) }))).toEqual([
      ClientType.Command,
      30,
      0x07,
      7,
    ]);
    // seq 1 | revoke_vision | to 300 (two varint groups, low group first)
    expect(Array.from(encodeClientMsg({ type: "command", seq: 1, command: revokeVisionCommand(300) }))).toEqual([
      0x02, 0x01, 0x08, 0xac, 0x02,
    ]);
  });

  it("refuses commands and events the wire cannot carry", () => {
    const command = (c: unknown): ClientMsg => ({ type: "command", seq: 1, command: c as Command });
    const bad: ClientMsg[] = [
      command({ type: "shareVision", to: -1 }),
      command({ type: "shareVision", to: 2 ** 32 }),
      command({ type: "revokeVision", to: 1.5 }),
    ];
    for (const m of bad) expect(() => encodeClientMsg(m), JSON.stringify(m)).toThrow(RangeError);
    const sharing = (e: unknown): ServerMsg => packet({ type: "sharing", ...(e as object) } as DeltaEvent);
    const badServer: ServerMsg[] = [
      sharing({ empire: 2 ** 32, outgoing: true, active: true }),
      sharing({ empire: -1, outgoing: true, active: true }),
      sharing({ empire: 1, outgoing: 1, active: true }),
      sharing({ empire: 1, outgoing: true, active: "yes" }),
      { type: "commandRejected", seq: 1, error: 33 },
    ];
    for (const m of badServer) expect(() => encodeServerMsg(m), JSON.stringify(m).slice(0, 80)).toThrow(RangeError);
  });

  it("round-trips sharing events and the new rejections", () => {
    const events: DeltaEvent[] = [];
    for (const outgoing of [true, false]) {
      for (const active of [true, false]) events.push({ type: "sharing", empire: 9, outgoing, active });
    }
    events.push({ type: "sharing", empire: 2 ** 32 - 1, outgoing: false, active: true });
    for (const error of [18, 19, 20]) events.push({ type: "commandRejected", seq: error, error });
    const p = packet(...events);
    expect(decodeServerMsg(encodeServerMsg(p))).toStrictEqual(p);
    for (const error of [18, 19, 20]) {
      const m: ServerMsg = { type: "commandRejected", seq: 2, error };
      expect(decodeServerMsg(encodeServerMsg(m))).toStrictEqual(m);
    }
  });

  it("writes a sharing event as tag 7, kind 0, empire, outgoing, active", () => {
    const bytes = encodeServerMsg(packet({ type: "sharing", empire: 7, outgoing: true, active: false }));
    // Header (type, seq, tick, step, common age, one event, event id 5), then
    // 111 | 00000000 | 0 0000111 | 1 | 0 | entities 00000000 | padding 000.
    expect(Array.from(bytes)).toEqual([0x88, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x05, 0xe0, 0x00, 0xf0, 0x00]);
    const same = extendedPacket(ExtendedEventKind.Sharing, (w) => {
      w.writeBits(7, 8);
      w.writeBit(true);
      w.writeBit(false);
    });
    expect(Array.from(same)).toEqual(Array.from(bytes));
  });

  it("refuses extended events of an unknown kind", () => {
    for (const kind of [3, 4, 0x80, 0xff]) {
      const bytes = extendedPacket(kind, (w) => {
        w.writeBits(7, 8);
        w.writeBit(true);
        w.writeBit(true);
      });
      const err = failure(() => decodeServerMsg(bytes));
      expect(err.reason, `kind ${kind}`).toBe("bad_enum");
      expect(err.message).toContain(`event_kind ${kind}`);
    }
  });

  it("refuses truncated commands and sharing events", () => {
    for (const command of [shareVisionCommand(300), revokeVisionCommand(2 ** 32 - 1)]) {
      const bytes = encodeClientMsg({ type: "command", seq: 1, command });
      for (let n = 1; n < bytes.length; n++) {
        expect(failure(() => decodeClientMsg(bytes.slice(0, n))).reason, `${command.type} ${n}`).toBe("truncated");
      }
    }
    const bytes = encodeServerMsg(packet({ type: "sharing", empire: 2 ** 32 - 1, outgoing: false, active: true }));
    for (let n = 1; n < bytes.length; n++) {
      expect(failure(() => decodeServerMsg(bytes.slice(0, n))).reason, `${n} bytes`).toBe("truncated");
    }
    // The event ends after `outgoing`: the entity count that follows runs out of bits.
    const short = extendedPacket(ExtendedEventKind.Sharing, (w) => {
      w.writeBits(7, 8);
      w.writeBit(true);
    });
    expect(failure(() => decodeServerMsg(short.slice(0, short.length - 1))).reason).toBe("truncated");
  });
});
