// Message shapes and numeric codes of the Starlane client protocol.
// The wire format is specified bit for bit in protocol/SPEC.md.

/** Version carried in Hello; the edge rejects other versions. */
export const PROTOCOL_VERSION = 2;

/** Longest Hello token accepted, in UTF-8 bytes. */
export const MAX_TOKEN_LEN = 16384;
/** Longest resume ticket (bytes; SPEC.md §17). */
export const MAX_TICKET_LEN = 128;
/** Longest Move.connectUrl (UTF-8 bytes). */
export const MAX_URL_LEN = 1024;
/** Most entries in any list field. */
export const MAX_LIST_LEN = 4096;
/** Largest Welcome.userId on the wire (2^53 - 1, exact in a JS number). */
export const MAX_USER_ID = Number.MAX_SAFE_INTEGER;
/** Most events in one EntityPacket (SPEC.md §16). */
export const MAX_EVENTS = 256;
/** Most entity records in one EntityPacket. */
export const MAX_ENTITY_RECORDS = 1024;
/** Largest EntityRecord.baselineAge (half the 16-bit sequence space). */
export const MAX_BASELINE_AGE = 0x7fff;
/** Largest datagram either side sends (bytes). */
export const MAX_DATAGRAM = 1200;
/** Largest message in one stream frame (bytes). */
export const MAX_STREAM_FRAME = 1 << 20;

/** 8-bit message type codes, client → edge. */
export const ClientType = { Hello: 0x01, Command: 0x02, Ping: 0x03, Ack: 0x04, Resume: 0x05 } as const;

/** 8-bit message type codes, edge → client. */
export const ServerType = {
  Welcome: 0x81,
  Reject: 0x82,
  Map: 0x83,
  Update: 0x84,
  CommandAck: 0x85,
  CommandRejected: 0x86,
  Pong: 0x87,
  EntityPacket: 0x88,
  Notice: 0x89,
  Move: 0x8a,
  ResumeTicket: 0x8b,
} as const;

/** Why the edge tells the client to move (Move.reason; SPEC.md §17). */
export const MoveReason = { Drain: 1, Shutdown: 2 } as const;

/** 3-bit event tags inside an EntityPacket. */
export const EventTag = {
  Disappeared: 0,
  Vision: 1,
  Resource: 2,
  CommandAck: 3,
  CommandRejected: 4,
  Combat: 5,
} as const;

/** 8-bit command type codes inside a Command message. */
export const CommandType = { Move: 0x01, Stop: 0x02, Attack: 0x03 } as const;

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
  NotYetValid: 12,
  TokenTooLarge: 13,
  Revoked: 14,
  Draining: 15,
  ResumeInvalid: 16,
  ResumeExpired: 17,
} as const;

/** What a Notice is about (Notice.kind). */
export const NoticeKind = { Broadcast: 0, Revoked: 1, WorldRestored: 2 } as const;

/** Longest Notice.text, in UTF-8 bytes. */
export const MAX_NOTICE_LEN = 1024;

/** Why a command was refused (CommandRejected.error). */
export const CommandError = {
  UnknownUnit: 1,
  NotYourUnit: 2,
  OffMap: 3,
  Impassable: 4,
  NoPath: 5,
  RateLimited: 6,
  Immobile: 7,
  UnknownTarget: 8,
  InvalidTarget: 9,
  Unarmed: 10,
} as const;

/** What an entity is (EntityState.kind). */
export const EntityKind = { Scout: 0, Frigate: 1, Station: 2 } as const;

/**
 * The owner of neutral entities (pirates, NPCs): no player's empire
 * (EntityState.owner; SPEC.md §6.2). Also the owner of the delta default state.
 */
export const NEUTRAL_EMPIRE = 0;

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
export type Command =
  | { type: "move"; unit: number; to: Hex }
  /** Drop the unit's path and attack order (protocol version 2). */
  | { type: "stop"; unit: number }
  /** Close to weapon range of `target` and fire (protocol version 2). */
  | { type: "attack"; unit: number; target: number };

/** Client → edge. */
export type ClientMsg =
  | { type: "hello"; version: number; token: string }
  | { type: "command"; seq: number; command: Command }
  | { type: "ping"; nonce: number }
  /** Acknowledges EntityPackets: bit i of `mask` set = packet `newest - 1 - i` received. */
  | { type: "ack"; newest: number; mask: number }
  /** Continue a session on another edge (SPEC.md §17); `ticket` is lowercase hex. */
  | { type: "resume"; version: number; token: string; ticket: string };

/** A reliable event of an EntityPacket. */
export type DeltaEvent =
  | { type: "disappeared"; id: number }
  | { type: "vision"; hex: Hex; state: number }
  | { type: "resource"; kind: number; amount: number }
  | { type: "commandAck"; seq: number }
  | { type: "commandRejected"; seq: number; error: number }
  /** The empire's combat since its previous report (SPEC.md §18.2). */
  | { type: "combat"; dealt: number; taken: number; kills: number; losses: number };

/** An event with the id the client applies it once by. */
export interface EventEntry {
  eventId: number;
  event: DeltaEvent;
}

/**
 * One entity's state in an EntityPacket. Without `baselineAge` it is against the default state
 * (kind 0, owner 0, pos (0, 0), health 0) and `pos` is absolute; with it, it is against the
 * state in packet `seq - baselineAge`, `pos` is the difference (dq, dr), and `kind`/`owner`
 * must be absent. `health` is quantized (health / healthStep). Absent fields equal the base.
 */
export interface EntityRecord {
  id: number;
  baselineAge?: number;
  kind?: number;
  owner?: number;
  pos?: Hex;
  health?: number;
}

/** The EntityPacket datagram (SPEC.md §16). */
export interface EntityPacket {
  type: "entityPacket";
  seq: number;
  tick: number;
  healthStep: number;
  events: EventEntry[];
  entities: EntityRecord[];
}

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
  | { type: "pong"; nonce: number }
  | { type: "notice"; kind: number; text: string }
  | EntityPacket
  /** Move to another edge of the region (SPEC.md §17); `ticket` is lowercase hex. */
  | { type: "move"; reason: number; connectUrl: string; ticket: string }
  | { type: "resumeTicket"; ticket: string };

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
  "out_of_range",
  "non_canonical",
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
