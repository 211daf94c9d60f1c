// The vision cache (protocol version 4, SPEC.md §20.6) in the codec beyond the golden vectors:
// the LastSeen (extended kind 1) and Forget (extended kind 2) events.
import { describe, expect, it } from "vitest";
import {
  EntityKind,
  ExtendedEventKind,
  decodeServerMsg,
  encodeServerMsg,
} from "../src/protocol";
import type { DeltaEvent, ServerMsg } from "../src/protocol";
import { extendedPacket, failure, packet } from "./extendedEvents";

const HEADER = [0x88, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x05];

const extractor: DeltaEvent = {
  type: "lastSeen",
  id: 5,
  kind: EntityKind.Extractor,
  owner: 2,
  pos: { q: 1, r: -1 },
  ageSecs: 10,
};

describe("vision cache events (protocol version 4)", () => {
  it("numbers the new extended kinds", () => {
    expect(ExtendedEventKind.LastSeen).toBe(1);
    expect(ExtendedEventKind.Forget).toBe(2);
  });

  it("round-trips lastSeen and forget events, including the largest values", () => {
    const p = packet(
      extractor,
      { type: "lastSeen", id: 77, kind: EntityKind.MetalField, owner: 0, pos: { q: 0, r: 0 }, ageSecs: 0 },
      {
        type: "lastSeen",
        id: 2 ** 32 - 1,
        kind: EntityKind.CrystalField,
        owner: 2 ** 32 - 1,
        pos: { q: -(2 ** 31), r: 2 ** 31 - 1 },
        ageSecs: 2 ** 32 - 1,
      },
      { type: "forget", id: 0 },
      { type: "forget", id: 2 ** 32 - 1 },
      { type: "sharing", empire: 3, outgoing: true, active: true },
    );
    expect(decodeServerMsg(encodeServerMsg(p))).toStrictEqual(p);
  });

  it("writes lastSeen as tag 7, kind 1, id, entity kind, owner, hex, age", () => {
    const bytes = encodeServerMsg(packet(extractor));
    // 111 | 00000001 | id 5 | kind 3 | owner 2 | q zigzag(1) = 2 | r zigzag(-1) = 1 | age 10 |
    // entities 0 | padding 00000.
    expect(Array.from(bytes)).toEqual([...HEADER, 0xe0, 0x20, 0xa0, 0x60, 0x40, 0x40, 0x21, 0x40, 0x00]);
    const same = extendedPacket(ExtendedEventKind.LastSeen, (w) => {
      for (const v of [5, 3, 2, 2, 1, 10]) w.writeBits(v, 8);
    });
    expect(Array.from(same)).toEqual(Array.from(bytes));
  });

  it("writes forget as tag 7, kind 2, id", () => {
    const bytes = encodeServerMsg(packet({ type: "forget", id: 300 }));
    // 111 | 00000010 | 10101100 00000010 (300) | entities 0 | padding 00000.
    expect(Array.from(bytes)).toEqual([...HEADER, 0xe0, 0x55, 0x80, 0x40, 0x00]);
  });

  it("refuses a lastSeen of an unknown entity kind", () => {
    for (const kind of [7, 8, 0xff]) {
      const bytes = extendedPacket(ExtendedEventKind.LastSeen, (w) => {
        for (const v of [5, kind, 2, 2, 1, 10]) w.writeBits(v, 8);
      });
      expect(failure(() => decodeServerMsg(bytes)).reason, `kind ${kind}`).toBe("bad_enum");
    }
  });

  it("refuses extended kinds from 3 on", () => {
    for (const kind of [3, 0x7f, 0xff]) {
      const bytes = extendedPacket(kind, (w) => w.writeBits(5, 8));
      const err = failure(() => decodeServerMsg(bytes));
      expect(err.reason, `kind ${kind}`).toBe("bad_enum");
      expect(err.message).toContain(`event_kind ${kind}`);
    }
  });

  it("refuses truncated lastSeen and forget events", () => {
    const big: DeltaEvent = {
      type: "lastSeen",
      id: 2 ** 32 - 1,
      kind: EntityKind.Station,
      owner: 300,
      pos: { q: -70, r: 70 },
      ageSecs: 2 ** 20,
    };
    for (const ev of [big, { type: "forget", id: 2 ** 32 - 1 } as DeltaEvent]) {
      const bytes = encodeServerMsg(packet(ev));
      for (let n = 1; n < bytes.length; n++) {
        expect(failure(() => decodeServerMsg(bytes.slice(0, n))).reason, `${ev.type} ${n}`).toBe("truncated");
      }
    }
    // A forget whose id is cut off: the packet ends inside the extended event.
    const cut = extendedPacket(ExtendedEventKind.Forget, () => undefined);
    expect(failure(() => decodeServerMsg(cut.slice(0, cut.length - 1))).reason).toBe("truncated");
  });

  it("refuses events the wire cannot carry", () => {
    const lastSeen = (e: object): ServerMsg => packet({ ...extractor, ...e } as DeltaEvent);
    const bad: ServerMsg[] = [
      lastSeen({ id: 2 ** 32 }),
      lastSeen({ id: -1 }),
      lastSeen({ kind: 7 }),
      lastSeen({ owner: 1.5 }),
      lastSeen({ ageSecs: 2 ** 32 }),
      lastSeen({ pos: { q: 2 ** 31, r: 0 } }),
      packet({ type: "forget", id: 2 ** 32 }),
      packet({ type: "forget", id: -1 }),
    ];
    for (const m of bad) expect(() => encodeServerMsg(m), JSON.stringify(m).slice(0, 120)).toThrow(RangeError);
  });
});
