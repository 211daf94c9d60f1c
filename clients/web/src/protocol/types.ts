// Message shapes and numeric codes of the Starlane client protocol.
// The wire format is specified bit for bit in protocol/SPEC.md.

/** Version carried in Hello; the edge rejects other versions. */
export const PROTOCOL_VERSION = 1;

/** Longest Hello token accepted, in UTF-8 bytes. */
export const MAX_TOKEN_LEN = 4096;
/** Most entries in any list field. */
export const MAX_LIST_LEN = 4096;
/** Largest Welcome.userId on the wire (2^53 - 1, exact in a JS number). */
export const MAX_USER_ID = Number.MAX_SAFE_INTEGER;
/** Largest datagram either side sends (bytes). */
export const MAX_DATAGRAM = 1200;
/** Largest message in one stream frame (bytes). */
export const MAX_STREAM_FRAME = 1 << 20;

/** 8-bit message type codes, client → edge. */
export const ClientType = { Hello: 0x01, Command: 0x02, Ping: 0x03 } as const;

/** 8-bit message type codes, edge → client. */
export const ServerType = {
  Welcome: 0x81,
  Reject: 0x82,
  Map: 0x83,
  Update: 0x84,
  CommandAck: 0x85,
  CommandRejected: 0x86,
  Pong: 0x87,
} as const;

/** 8-bit command type codes inside a Command message. */
export const CommandType = { Move: 0x01 } as const;

/** Why a session was refused or closed (Reject.reason). */
export const RejectReason = {
  MalformedToken: 1,
  BadSignature: 2,
  WrongIssuer: 3,
  Expired: 4,
  NotActivated: 5,
  Banned: 6,
  Blacklisted: 7,
  UnsupportedVersion: 8,
  RegionUnavailable: 9,
  ProtocolViolation: 10,
  ShuttingDown: 11,
} as const;

/** Why a command was refused (CommandRejected.error). */
export const CommandError = {
  UnknownUnit: 1,
  NotYourUnit: 2,
  OffMap: 3,
  Impassable: 4,
  NoPath: 5,
  RateLimited: 6,
  Immobile: 7,
} as const;

/** What an entity is (EntityState.kind). */
export const EntityKind = { Scout: 0, Frigate: 1, Station: 2 } as const;

/** Visibility of a hex (VisionChange.state). */
export const Visibility = { Shroud: 0, Fog: 1, Visible: 2 } as const;

/** Kinds of empire resources. */
export const ResourceKind = { Credits: 0, Metal: 1, Crystal: 2 } as const;

/** Axial hex coordinate (pointy-top); both are signed 32-bit integers. */
export interface Hex {
  q: number;
  r: number;
}

/** Full state of an entity. */
export interface EntityState {
  id: number;
  kind: number;
  owner: number;
  pos: Hex;
  health: number;
}

/** Changed fields of a known entity; absent fields did not change. */
export interface EntityChange {
  id: number;
  pos?: Hex;
  health?: number;
}

/** A hex whose visibility changed. */
export interface VisionChange {
  hex: Hex;
  state: number;
}

/** A game command. */
export type Command = { type: "move"; unit: number; to: Hex };

/** Client → edge. */
export type ClientMsg =
  | { type: "hello"; version: number; token: string }
  | { type: "command"; seq: number; command: Command }
  | { type: "ping"; nonce: number };

/** One resource total. */
export interface ResourceAmount {
  kind: number;
  amount: number;
}

/** Edge → client. */
export type ServerMsg =
  | { type: "welcome"; userId: number; empire: number; tickRateHz: number }
  | { type: "reject"; reason: number }
  | { type: "map"; chunkRadius: number; chunks: Hex[]; blocked: Hex[] }
  | {
      type: "update";
      tick: number;
      appeared: EntityState[];
      changed: EntityChange[];
      disappeared: number[];
      vision: VisionChange[];
      resources: ResourceAmount[];
    }
  | { type: "commandAck"; seq: number }
  | { type: "commandRejected"; seq: number; error: number }
  | { type: "pong"; nonce: number };

/** Every reason label a decoder reports (the same labels as the Rust codec). */
export const DECODE_REASONS = [
  "truncated",
  "unknown_type",
  "unknown_command",
  "bad_enum",
  "varint_overflow",
  "non_canonical_varint",
  "string_too_long",
  "list_too_long",
  "invalid_utf8",
  "nonzero_padding",
  "trailing_bytes",
] as const;

/** A decode failure reason label. */
export type DecodeReason = (typeof DECODE_REASONS)[number];

/** A message was refused by a decoder; `reason` is a stable label for counting. */
export class DecodeError extends Error {
  readonly reason: DecodeReason;

  constructor(reason: DecodeReason, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = "DecodeError";
    this.reason = reason;
  }
}
