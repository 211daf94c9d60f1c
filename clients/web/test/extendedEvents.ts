// Helpers of the extended-event codec tests (protocol version 4, SPEC.md §20.3).
import { BitWriter, DecodeError, EventTag, ServerType } from "../src/protocol";
import type { DeltaEvent, EntityPacket } from "../src/protocol";

export function failure(f: () => unknown): DecodeError {
  try {
    f();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error("decoded without error");
}

export function packet(...events: DeltaEvent[]): EntityPacket {
  return {
    type: "entityPacket",
    seq: 1,
    tick: 0,
    healthStep: 1,
    events: events.map((event, i) => ({ eventId: 5 + i, event })),
    entities: [],
  };
}

/** An EntityPacket of one extended event (id 5) of `kind`, whose body `body` writes. */
export function extendedPacket(kind: number, body: (w: BitWriter) => void): Uint8Array {
  const w = new BitWriter();
  w.writeBits(ServerType.EntityPacket, 8);
  w.writeBits(1, 16); // seq
  w.writeBits(0, 8); // tick
  w.writeBits(1, 8); // health_step
  w.writeBits(0, 8); // common_age
  w.writeBits(1, 8); // one event
  w.writeBits(5, 8); // its id
  w.writeBits(EventTag.Extended, 3);
  w.writeBits(kind, 8);
  body(w);
  w.writeBits(0, 8); // no entities
  return w.finish();
}
