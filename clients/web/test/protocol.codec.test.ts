// Codec behaviour beyond the golden vectors: round trips, encoder range checks and
// seeded random inputs (no throw other than DecodeError, canonical re-encoding).
import { describe, expect, it } from "vitest";
import {
  BitReader,
  BitWriter,
  DecodeError,
  EntityKind,
  JobState,
  MAX_AMOUNTS,
  MAX_RECIPES,
  MAX_RECIPE_NAME,
  MAX_TOKEN_LEN,
  MAX_USER_ID,
  MAX_BASELINE_AGE,
  MAX_ENTITY_RECORDS,
  MAX_EVENTS,
  PROTOCOL_VERSION,
  ResourceKind,
  ackCovers,
  buildCommand,
  cancelCommand,
  commandUnit,
  decodeClientMsg,
  decodeServerMsg,
  encodeClientMsg,
  encodeServerMsg,
  depositOf,
  isBuildingKind,
  trainCommand,
  zigzagDecode,
  zigzagEncode,
} from "../src/protocol";
import type { ClientMsg, Command, EntityPacket, Recipe, ServerMsg } from "../src/protocol";

describe("bits", () => {
  it("writes MSB-first and pads with zeros", () => {
    const w = new BitWriter();
    w.writeBit(true);
    w.writeBits(0b010, 3);
    w.writeBits(0xabc, 12);
    w.writeBits(1, 2);
    expect(Array.from(w.finish())).toEqual([0b10101010, 0b10111100, 0b01000000]);
  });

  it("reads 32-bit fields as unsigned numbers", () => {
    const w = new BitWriter();
    w.writeBits(1, 3);
    w.writeBits(0xffffffff, 32);
    const r = new BitReader(w.finish());
    expect(r.readBits(3)).toBe(1);
    expect(r.readBits(32)).toBe(0xffffffff);
    r.finish();
  });
});

describe("zigzag", () => {
  it("maps small magnitudes to small values", () => {
    const pairs: [number, number][] = [[0, 0], [-1, 1], [1, 2], [-2, 3], [2147483647, 4294967294], [-2147483648, 4294967295]];
    for (const [v, z] of pairs) {
      expect(zigzagEncode(v)).toBe(z);
      expect(zigzagDecode(z)).toBe(v);
    }
    expect(() => zigzagEncode(2147483648)).toThrow(RangeError);
    expect(() => zigzagEncode(0.5)).toThrow(RangeError);
  });
});

describe("encoder range checks", () => {
  it("refuses values the wire cannot carry", () => {
    const bad: ClientMsg[] = [
      { type: "ping", nonce: -1 },
      { type: "ping", nonce: 2 ** 32 },
      { type: "hello", version: 65536, token: "" },
      { type: "hello", version: PROTOCOL_VERSION, token: "x".repeat(MAX_TOKEN_LEN + 1) },
      { type: "command", seq: 1.5, command: { type: "move", unit: 1, to: { q: 0, r: 0 } } },
    ];
    for (const m of bad) expect(() => encodeClientMsg(m), JSON.stringify(m).slice(0, 60)).toThrow(RangeError);
    const badServer: ServerMsg[] = [
      { type: "welcome", userId: MAX_USER_ID + 1, empire: 1, tickRateHz: 20 },
      { type: "reject", reason: 0 },
      { type: "commandRejected", seq: 1, error: 99 },
      { type: "map", chunkRadius: 9, chunks: new Array(4097).fill({ q: 0, r: 0 }), blocked: [] },
    ];
    for (const m of badServer) expect(() => encodeServerMsg(m), m.type).toThrow(RangeError);
  });

  it("refuses delta packets the wire cannot carry", () => {
    const base: EntityPacket = { type: "entityPacket", seq: 1, tick: 1, healthStep: 1, events: [], entities: [] };
    const ev = { eventId: 1, event: { type: "commandAck", seq: 1 } } as const;
    const bad: EntityPacket[] = [
      { ...base, seq: 65536 },
      { ...base, healthStep: 0 },
      { ...base, events: new Array(MAX_EVENTS + 1).fill(ev) },
      { ...base, entities: new Array(MAX_ENTITY_RECORDS + 1).fill({ id: 1 }) },
      { ...base, entities: [{ id: 1, baselineAge: 0 }] },
      { ...base, entities: [{ id: 1, baselineAge: MAX_BASELINE_AGE + 1 }] },
      { ...base, entities: [{ id: 1, baselineAge: 1, kind: 0 }] },
      { ...base, entities: [{ id: 1, kind: 7 }] },
      { ...base, entities: [{ id: 2 }, { id: 1 }, { id: 2, baselineAge: 1 }] },
      { ...base, entities: [{ id: 2 ** 32 }] },
      { ...base, events: [{ eventId: 1, event: { type: "vision", hex: { q: 0, r: 0 }, state: 3 } }] },
    ];
    for (const m of bad) expect(() => encodeServerMsg(m), JSON.stringify(m).slice(0, 80)).toThrow(RangeError);
    expect(() => encodeClientMsg({ type: "ack", newest: 65536, mask: 0 })).toThrow(RangeError);
    const full: EntityPacket = {
      ...base,
      events: new Array(MAX_EVENTS).fill(ev),
      entities: Array.from({ length: MAX_ENTITY_RECORDS }, (_, id) => ({ id, baselineAge: MAX_BASELINE_AGE })),
    };
    expect(decodeServerMsg(encodeServerMsg(full))).toEqual(full);
  });

  it("sends records sorted by id, with the common age and position steps", () => {
    const p: EntityPacket = {
      type: "entityPacket",
      seq: 1,
      tick: 0,
      healthStep: 1,
      events: [],
      entities: [
        { id: 9, baselineAge: 4, pos: { q: 2, r: 0 } },
        { id: 3, baselineAge: 2, pos: { q: -1, r: 1 } },
        { id: 5, baselineAge: 2, health: 7 },
      ],
    };
    const bytes = encodeServerMsg(p);
    // Type, seq, tick, step, then common age 2.
    expect(bytes[5]).toBe(2);
    // Record id 3: has_baseline, uses_common, has_pos, no health, is_step, direction 4.
    expect(Array.from(bytes.slice(8, 10))).toEqual([3, 0b11101100]);
    const sorted = [...p.entities].sort((a, b) => a.id - b.id);
    expect(decodeServerMsg(bytes)).toEqual({ ...p, entities: sorted });
    expect(Array.from(encodeServerMsg({ ...p, entities: sorted }))).toEqual(Array.from(bytes));
  });

  it("reads acknowledgement masks", () => {
    expect(ackCovers(10, 0, 10)).toBe(true);
    expect(ackCovers(10, 0, 9)).toBe(false);
    expect(ackCovers(10, 1, 9)).toBe(true);
    expect(ackCovers(10, 0x80000000, (10 - 32) & 0xffff)).toBe(true);
    expect(ackCovers(10, 0xffffffff, (10 - 33) & 0xffff)).toBe(false);
    expect(ackCovers(1, 0b10, 65535)).toBe(true);
  });

  it("accepts the largest token and user id", () => {
    const token = "y".repeat(MAX_TOKEN_LEN);
    expect(decodeClientMsg(encodeClientMsg({ type: "hello", version: 1, token }))).toEqual({ type: "hello", version: 1, token });
    const welcome: ServerMsg = { type: "welcome", userId: MAX_USER_ID, empire: 0, tickRateHz: 20 };
    expect(decodeServerMsg(encodeServerMsg(welcome))).toEqual(welcome);
  });

  it("keeps a leading byte-order mark in a token", () => {
    const m: ClientMsg = { type: "hello", version: 1, token: "\ufeffabc" };
    expect(decodeClientMsg(encodeClientMsg(m))).toEqual(m);
  });
});

describe("economy (protocol version 3)", () => {
  const recipe: Recipe = {
    id: 1,
    name: "build_extractor",
    producer: EntityKind.Frigate,
    inputs: [
      { kind: ResourceKind.Credits, amount: 100 },
      { kind: ResourceKind.Metal, amount: 20 },
    ],
    output: { type: "building", kind: EntityKind.Extractor },
    ticks: 160,
  };

  it("builds commands and round-trips them", () => {
    const commands: Command[] = [
      buildCommand(130, EntityKind.Extractor, { q: -3, r: 5 }),
      trainCommand(77, 9),
      trainCommand(77, 65535, true),
      cancelCommand(77, 3),
    ];
    expect(commands[1]).toEqual({ type: "train", building: 77, recipe: 9, repeat: false });
    expect(commands.map(commandUnit)).toEqual([130, 77, 77, 77]);
    expect(commandUnit({ type: "stop", unit: 5 })).toBe(5);
    for (const [i, command] of commands.entries()) {
      const m: ClientMsg = { type: "command", seq: i, command };
      expect(decodeClientMsg(encodeClientMsg(m))).toStrictEqual(m);
    }
    // seq 1 | train | building 77 | recipe 9 | repeat 1, then 7 bits of padding
    expect(Array.from(encodeClientMsg({ type: "command", seq: 1, command: trainCommand(77, 9, true) }))).toEqual([
      0x02, 0x01, 0x05, 0x4d, 0x09, 0x80,
    ]);
  });

  it("round-trips catalogs and job events", () => {
    const catalogs: ServerMsg[] = [
      { type: "catalog", recipes: [] },
      {
        type: "catalog",
        recipes: [
          recipe,
          {
            id: 65535,
            name: "é".repeat(MAX_RECIPE_NAME / 2),
            producer: EntityKind.CrystalField,
            inputs: [],
            output: { type: "resources", amounts: [{ kind: ResourceKind.Crystal, amount: 2 ** 32 - 1 }] },
            ticks: 2 ** 32 - 1,
          },
          { ...recipe, id: 9, output: { type: "unit", kind: EntityKind.Frigate } },
        ],
      },
      { type: "catalog", recipes: new Array(MAX_RECIPES).fill(recipe) },
    ];
    for (const m of catalogs) expect(decodeServerMsg(encodeServerMsg(m))).toStrictEqual(m);
    const jobs: EntityPacket = {
      type: "entityPacket",
      seq: 1,
      tick: 1,
      healthStep: 1,
      events: Object.values(JobState).map((state, i) => ({
        eventId: i,
        event: { type: "job", building: 500, job: i, recipe: 65535, state },
      })),
      entities: [],
    };
    expect(decodeServerMsg(encodeServerMsg(jobs))).toStrictEqual(jobs);
  });

  it("refuses economy values the wire cannot carry", () => {
    const command = (c: unknown): ClientMsg => ({ type: "command", seq: 1, command: c as Command });
    const badClient: ClientMsg[] = [
      command({ type: "build", unit: 1, kind: 7, at: { q: 0, r: 0 } }),
      command({ type: "build", unit: -1, kind: 3, at: { q: 0, r: 0 } }),
      command({ type: "train", building: 1, recipe: 65536, repeat: false }),
      command({ type: "train", building: 1, recipe: 1, repeat: 1 }),
      command({ type: "cancel", building: 1, job: 2 ** 32 }),
    ];
    for (const m of badClient) expect(() => encodeClientMsg(m), JSON.stringify(m)).toThrow(RangeError);
    const catalog = (r: Partial<Recipe>): ServerMsg => ({ type: "catalog", recipes: [{ ...recipe, ...r }] });
    const many = new Array(MAX_AMOUNTS + 1).fill({ kind: ResourceKind.Metal, amount: 1 });
    const badServer: ServerMsg[] = [
      { type: "catalog", recipes: new Array(MAX_RECIPES + 1).fill(recipe) },
      catalog({ id: 65536 }),
      catalog({ name: "x".repeat(MAX_RECIPE_NAME + 1) }),
      catalog({ producer: 7 }),
      catalog({ inputs: many }),
      catalog({ inputs: [{ kind: 3, amount: 1 }] }),
      catalog({ output: { type: "resources", amounts: many } }),
      catalog({ output: { type: "unit", kind: 7 } }),
      catalog({ ticks: 2 ** 32 }),
      {
        type: "entityPacket",
        seq: 1,
        tick: 1,
        healthStep: 1,
        events: [{ eventId: 1, event: { type: "job", building: 1, job: 1, recipe: 1, state: 5 } }],
        entities: [],
      },
    ];
    for (const m of badServer) expect(() => encodeServerMsg(m), JSON.stringify(m).slice(0, 80)).toThrow(RangeError);
  });

  it("knows buildings and resource fields", () => {
    expect(Object.values(EntityKind).filter(isBuildingKind)).toEqual([
      EntityKind.Station,
      EntityKind.Extractor,
      EntityKind.Shipyard,
    ]);
    expect(depositOf(EntityKind.MetalField)).toBe(ResourceKind.Metal);
    expect(depositOf(EntityKind.CrystalField)).toBe(ResourceKind.Crystal);
    expect(depositOf(EntityKind.Extractor)).toBeNull();
  });
});

/** xorshift32: a tiny deterministic generator. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function check<M>(bytes: Uint8Array, decode: (b: Uint8Array) => M, encode: (m: M) => Uint8Array): boolean {
  let m: M;
  try {
    m = decode(bytes);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return false;
  }
  expect(Array.from(encode(m))).toEqual(Array.from(bytes));
  return true;
}

describe("random inputs", () => {
  it("only ever throw DecodeError, and whatever decodes re-encodes to the same bytes", () => {
    const next = xorshift(0x5eed);
    let decoded = 0;
    for (let i = 0; i < 50_000; i++) {
      const bytes = new Uint8Array(next() % 40);
      for (let j = 0; j < bytes.length; j++) bytes[j] = next() & 0xff;
      if (bytes.length > 0 && next() % 2 === 0) bytes[0] = next() % 2 === 0 ? 1 + (next() % 4) : 0x81 + (next() % 12);
      if (check(bytes, decodeClientMsg, encodeClientMsg)) decoded++;
      if (check(bytes, decodeServerMsg, encodeServerMsg)) decoded++;
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
