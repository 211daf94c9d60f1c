// Message shapes and numeric codes of the Starlane client protocol.
// The wire format is specified bit for bit in protocol/SPEC.md.

import type { SocialCommand, SocialMsg } from "./socialTypes";

/**
 * Version carried in Hello; the edge rejects other versions (4: shared vision, SPEC.md §20;
 * 5: the social layer, chat and alliances, SPEC.md §21; 6: friends, mail and presence,
 * SPEC.md §22).
 */
export const PROTOCOL_VERSION = 6;

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
/** Most recipes in a Catalog (SPEC.md §19.3). */
export const MAX_RECIPES = 64;
/** Longest Recipe.name, in UTF-8 bytes. */
export const MAX_RECIPE_NAME = 32;
/** Most entries in a recipe's inputs or resource outputs (one per resource kind). */
export const MAX_AMOUNTS = 3;
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
  /** The region's recipe catalog (protocol version 3, SPEC.md §19.3). */
  Catalog: 0x8c,
  /** Chat and alliance news (protocol version 5, SPEC.md §21.3); friends, mail and presence (version 6, §22.4). */
  Social: 0x8d,
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
  /** A production job changed state (protocol version 3, SPEC.md §19.4). */
  Job: 6,
  /** An extended event: an 8-bit kind, then its fields (protocol version 4, SPEC.md §20.3). */
  Extended: 7,
} as const;

/** 8-bit kinds of an extended event (event tag 7; protocol version 4, SPEC.md §20.3). */
export const ExtendedEventKind = {
  /** A grant of shared vision involving the receiving empire began or ended. */
  Sharing: 0,
  /** An entity left the empire's view and is remembered as last seen (SPEC.md §20.6). */
  LastSeen: 1,
  /** Drop the remembered snapshot of an entity (SPEC.md §20.6). */
  Forget: 2,
} as const;

/** 8-bit command type codes inside a Command message. */
export const CommandType = {
  Move: 0x01,
  Stop: 0x02,
  Attack: 0x03,
  Build: 0x04,
  Train: 0x05,
  Cancel: 0x06,
  /** Share the sender's vision with an empire (protocol version 4, SPEC.md §20.2). */
  ShareVision: 0x07,
  /** Stop sharing the sender's vision with an empire (protocol version 4). */
  RevokeVision: 0x08,
  /** Say a text on a chat channel (protocol version 5, SPEC.md §21.1). */
  Chat: 0x09,
  /** Found an alliance, led by the sender (protocol version 5, SPEC.md §21.2). */
  CreateAlliance: 0x0a,
  /** Invite an empire to the sender's alliance (protocol version 5). */
  InviteToAlliance: 0x0b,
  /** Accept an invitation to an alliance (protocol version 5). */
  JoinAlliance: 0x0c,
  /** Leave the sender's alliance (protocol version 5). */
  LeaveAlliance: 0x0d,
  /** Remove a member, or withdraw an invitation (protocol version 5). */
  KickFromAlliance: 0x0e,
  /** Set a member's role; Leader hands the lead over (protocol version 5). */
  SetAllianceRole: 0x0f,
  /** Ask a player (a user id) to be friends, or accept its request (protocol version 6, SPEC.md §22.1). */
  AddFriend: 0x10,
  /** End a friendship, withdraw a request or decline one (protocol version 6). */
  RemoveFriend: 0x11,
  /** Store a text in a player's mailbox (protocol version 6, SPEC.md §22.2). */
  SendMail: 0x12,
  /** Delete a mail from the sender's mailbox (protocol version 6). */
  DeleteMail: 0x13,
} as const;

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
  /** No recipe has that id, or none builds that kind (protocol version 3). */
  UnknownRecipe: 11,
  /** The recipe is not made by that unit or building kind (protocol version 3). */
  WrongProducer: 12,
  /** The empire lacks the recipe's inputs (protocol version 3). */
  InsufficientResources: 13,
  /** The building's production queue is full (protocol version 3). */
  QueueFull: 14,
  /** The building has no job with that id (protocol version 3). */
  UnknownJob: 15,
  /** The building site is not valid (protocol version 3). */
  BadSite: 16,
  /** The building is still under construction (protocol version 3). */
  UnderConstruction: 17,
  /** The empire named is the sender's own or the neutral empire (protocol version 4). */
  InvalidEmpire: 18,
  /** The sender already shares its vision with as many empires as allowed (protocol version 4). */
  TooManyGrants: 19,
  /** The sender does not share its vision with that empire (protocol version 4). */
  NotShared: 20,
  /** A chat text or alliance name is blank, too short (a name) or holds a forbidden character (protocol version 5). */
  InvalidText: 21,
  /** A chat text is longer than the region allows (protocol version 5). */
  TextTooLong: 22,
  /** The sender's empire is already in an alliance (protocol version 5). */
  AlreadyInAlliance: 23,
  /** The sender's empire is in no alliance, or the empire named is not in (or invited to) it (protocol version 5). */
  NotInAlliance: 24,
  /** The sender's empire holds no invitation to that alliance (protocol version 5). */
  NotInvited: 25,
  /** The sender's role in its alliance does not allow it (protocol version 5). */
  NotPermitted: 26,
  /** The alliance holds as many members and invitations as the region allows (protocol version 5). */
  AllianceFull: 27,
  /** Another alliance of the region has that name (protocol version 5). */
  NameTaken: 28,
  /** No player has that user id, or it is the sender's own (protocol version 6). */
  UnknownPlayer: 29,
  /** The sender's friends and requests, or the requests waiting on the other player, are as many as allowed (protocol version 6). */
  FriendLimit: 30,
  /** The recipient's mailbox holds as many mails as the region allows (protocol version 6). */
  MailboxFull: 31,
  /** The sender's mailbox holds no mail with that id (protocol version 6). */
  UnknownMail: 32,
} as const;

/**
 * What an entity is (EntityState.kind). Extractor and Shipyard are buildings, MetalField and
 * CrystalField neutral resource fields (protocol version 3, SPEC.md §19.1).
 */
export const EntityKind = {
  Scout: 0,
  Frigate: 1,
  Station: 2,
  Extractor: 3,
  Shipyard: 4,
  MetalField: 5,
  CrystalField: 6,
} as const;

/** Each entity kind's stable lowercase name, indexed by its code (as Rust's `EntityKind::name`). */
export const ENTITY_KIND_NAMES = [
  "scout",
  "frigate",
  "station",
  "extractor",
  "shipyard",
  "metal_field",
  "crystal_field",
] as const;

/** What happened to a production job (JobEvent.state; protocol version 3, SPEC.md §19.4). */
export const JobState = { Queued: 0, Started: 1, Completed: 2, Cancelled: 3, Stalled: 4 } as const;

/** Each job state's stable lowercase name, indexed by its code. */
export const JOB_STATE_NAMES = ["queued", "started", "completed", "cancelled", "stalled"] as const;

/** 8-bit tags of a Recipe's output (SPEC.md §19.3). */
export const RecipeOutputTag = { Resources: 0, Unit: 1, Building: 2 } as const;

/**
 * The owner of neutral entities (pirates, NPCs): no player's empire
 * (EntityState.owner; SPEC.md §6.2). Also the owner of the delta default state.
 */
export const NEUTRAL_EMPIRE = 0;

/** Visibility of a hex (VisionChange.state). */
export const Visibility = { Shroud: 0, Fog: 1, Visible: 2 } as const;

/** Kinds of empire resources. */
export const ResourceKind = { Credits: 0, Metal: 1, Crystal: 2 } as const;

/** Each resource kind's stable lowercase name, indexed by its code. */
export const RESOURCE_KIND_NAMES = ["credits", "metal", "crystal"] as const;

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
  | { type: "attack"; unit: number; target: number }
  /** Build a building of `kind` at `at` with `unit` (protocol version 3, SPEC.md §19.2). */
  | { type: "build"; unit: number; kind: number; at: Hex }
  /** Queue `recipe` in `building`; `repeat` queues it again when it completes (protocol version 3). */
  | { type: "train"; building: number; recipe: number; repeat: boolean }
  /** Cancel job `job` of `building` and refund it (protocol version 3). */
  | { type: "cancel"; building: number; job: number }
  /** Share the sender's vision with empire `to` (protocol version 4, SPEC.md §20.2). */
  | { type: "shareVision"; to: number }
  /** Stop sharing the sender's vision with empire `to` (protocol version 4). */
  | { type: "revokeVision"; to: number }
  /** Chat and alliance commands (protocol version 5, SPEC.md §21); friend and mail commands (version 6, §22). */
  | SocialCommand;

/** The Build command. */
export type BuildCommand = Extract<Command, { type: "build" }>;
/** The Train command. */
export type TrainCommand = Extract<Command, { type: "train" }>;
/** The Cancel command. */
export type CancelCommand = Extract<Command, { type: "cancel" }>;
/** The ShareVision command. */
export type ShareVisionCommand = Extract<Command, { type: "shareVision" }>;
/** The RevokeVision command. */
export type RevokeVisionCommand = Extract<Command, { type: "revokeVision" }>;

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
  | { type: "combat"; dealt: number; taken: number; kills: number; losses: number }
  /** A production job of one of the empire's buildings changed state (SPEC.md §19.4). */
  | ({ type: "job" } & JobEvent)
  /** A grant of shared vision involving the empire began or ended (SPEC.md §20.3). */
  | ({ type: "sharing" } & SharingEvent)
  /** An entity left the empire's view; it is remembered as last seen (SPEC.md §20.6). */
  | ({ type: "lastSeen" } & LastSeenEvent)
  /** Drop the remembered snapshot of entity `id` (SPEC.md §20.6). */
  | { type: "forget"; id: number };

/** A production job changed state (the fields of a "job" event). */
export interface JobEvent {
  /** The building (or construction site) holding the job. */
  building: number;
  /** The job's id in that building. */
  job: number;
  /** Its recipe's id. */
  recipe: number;
  /** A JobState code. */
  state: number;
}

/** A grant of shared vision began or ended (the fields of a "sharing" event). */
export interface SharingEvent {
  /** The other empire of the grant. */
  empire: number;
  /** true: the receiving empire shares with `empire`; false: `empire` shares with it. */
  outgoing: boolean;
  /** true: the grant holds from now on; false: it was revoked. */
  active: boolean;
}

/** A remembered entity as last seen (the fields of a "lastSeen" event). */
export interface LastSeenEvent {
  id: number;
  /** An EntityKind code. */
  kind: number;
  /** Its owner when last seen. */
  owner: number;
  /** Where it stood. */
  pos: Hex;
  /** Seconds since the empire last saw it, when the event was sent. */
  ageSecs: number;
}

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

/** What a recipe makes (SPEC.md §19.3); kinds are EntityKind codes. */
export type RecipeOutput =
  /** Resources added to the empire's stock. */
  | { type: "resources"; amounts: ResourceAmount[] }
  /** A unit, spawned on the building's hex. */
  | { type: "unit"; kind: number }
  /** A building (a Build command's recipe). */
  | { type: "building"; kind: number };

/** One recipe of the region's catalog. */
export interface Recipe {
  /** The id that Train names (u16). */
  id: number;
  /** A stable lowercase name, at most MAX_RECIPE_NAME bytes. */
  name: string;
  /** The EntityKind code of the unit or building kind that makes it. */
  producer: number;
  /** What a job of it costs when queued (refunded on cancel), at most MAX_AMOUNTS. */
  inputs: ResourceAmount[];
  output: RecipeOutput;
  /** Ticks a job takes at full efficiency. */
  ticks: number;
}

/** The region's recipe catalog, sent once per session after Map. */
export interface Catalog {
  /** The recipes, in id order (at most MAX_RECIPES). */
  recipes: Recipe[];
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
  | { type: "resumeTicket"; ticket: string }
  /** The region's recipe catalog (protocol version 3, SPEC.md §19.3). */
  | ({ type: "catalog" } & Catalog)
  /** Chat and alliance news (protocol version 5, SPEC.md §21.3); friends, mail and presence (version 6, §22.4). */
  | { type: "social"; social: SocialMsg };

// The decode failure reasons and DecodeError live in errors.ts (re-exported here).
export { DECODE_REASONS, DecodeError, type DecodeReason } from "./errors";
// The social layer's codes, limits and shapes live in socialTypes.ts (re-exported here).
export * from "./socialTypes";
