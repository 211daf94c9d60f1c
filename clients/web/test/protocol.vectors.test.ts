// Golden vectors shared with the Rust codec (protocol/vectors/*.json).
import { describe, expect, it } from "vitest";
import clientJson from "../../../protocol/vectors/client.json";
import serverJson from "../../../protocol/vectors/server.json";
import invalidJson from "../../../protocol/vectors/invalid.json";
import {
  ChatChannel,
  CommandError,
  CommandType,
  DECODE_REASONS,
  DecodeError,
  EntityKind,
  FriendState,
  PROTOCOL_VERSION,
  Presence,
  SocialKind,
  decodeClientMsg,
  decodeServerMsg,
  encodeClientMsg,
  encodeServerMsg,
} from "../src/protocol";
import type { ClientMsg, ServerMsg } from "../src/protocol";

interface Vector {
  name: string;
  hex: string;
  msg: unknown;
}

interface InvalidVector {
  name: string;
  hex: string;
  direction: "client" | "server";
  error: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function vectors(json: unknown): Vector[] {
  if (!Array.isArray(json)) throw new Error("vector file is not an array");
  return json.map((v: unknown) => {
    if (!isRecord(v) || typeof v.name !== "string" || typeof v.hex !== "string" || !isRecord(v.msg)) {
      throw new Error(`malformed vector ${JSON.stringify(v)}`);
    }
    return { name: v.name, hex: v.hex, msg: v.msg };
  });
}

function invalidVectors(json: unknown): InvalidVector[] {
  if (!Array.isArray(json)) throw new Error("vector file is not an array");
  return json.map((v: unknown) => {
    if (
      !isRecord(v) ||
      typeof v.name !== "string" ||
      typeof v.hex !== "string" ||
      (v.direction !== "client" && v.direction !== "server") ||
      typeof v.error !== "string"
    ) {
      throw new Error(`malformed invalid vector ${JSON.stringify(v)}`);
    }
    return { name: v.name, hex: v.hex, direction: v.direction, error: v.error };
  });
}

function fromHex(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`bad hex ${hex.slice(0, 20)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof DecodeError) return err.reason;
    throw err;
  }
  throw new Error("decoded without error");
}

/** Every event of the server vectors' entity packets. */
function events(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const v of server) {
    if (!isRecord(v.msg) || !Array.isArray(v.msg.events)) continue;
    for (const e of v.msg.events as unknown[]) if (isRecord(e) && isRecord(e.event)) out.push(e.event);
  }
  return out;
}

const client = vectors(clientJson);
const server = vectors(serverJson);
const invalid = invalidVectors(invalidJson);

describe("client message vectors", () => {
  it("has vectors for every client message type", () => {
    const types = new Set(client.map((v) => (isRecord(v.msg) ? v.msg.type : undefined)));
    expect([...types].sort()).toEqual(["ack", "command", "hello", "ping", "resume"]);
  });

  it("has vectors for every command type", () => {
    const types = new Set(client.map((v) => (isRecord(v.msg) && isRecord(v.msg.command) ? v.msg.command.type : undefined)));
    types.delete(undefined);
    const expected = [
      "addFriend",
      "attack",
      "build",
      "cancel",
      "chat",
      "createAlliance",
      "deleteMail",
      "inviteToAlliance",
      "joinAlliance",
      "kickFromAlliance",
      "leaveAlliance",
      "move",
      "removeFriend",
      "revokeVision",
      "sendMail",
      "setAllianceRole",
      "shareVision",
      "stop",
      "train",
    ];
    expect(Object.keys(CommandType)).toHaveLength(expected.length);
    expect([...types].sort()).toEqual(expected);
  });

  it("carries the current protocol version in hello and resume", () => {
    for (const name of ["hello", "resume", `hello_version_${PROTOCOL_VERSION}`]) {
      const v = client.find((c) => c.name === name);
      expect(isRecord(v?.msg) ? v.msg.version : undefined, name).toBe(PROTOCOL_VERSION);
    }
  });

  it.each(client.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const bytes = fromHex(v.hex);
    expect(decodeClientMsg(bytes)).toStrictEqual(v.msg);
    expect(toHex(encodeClientMsg(v.msg as ClientMsg))).toBe(v.hex);
  });
});

describe("server message vectors", () => {
  it("has vectors for every server message type", () => {
    const types = new Set(server.map((v) => (isRecord(v.msg) ? v.msg.type : undefined)));
    expect([...types].sort()).toEqual([
      "catalog",
      "commandAck",
      "commandRejected",
      "entityPacket",
      "map",
      "move",
      "notice",
      "pong",
      "reject",
      "resumeTicket",
      "social",
      "update",
      "welcome",
    ]);
  });

  it("has vectors for every social kind and every chat channel", () => {
    const social = server.flatMap((v) => (isRecord(v.msg) && isRecord(v.msg.social) ? [v.msg.social] : []));
    expect([...new Set(social.map((s) => s.type))].sort()).toEqual([
      "alliance",
      "chat",
      "friend",
      "invite",
      "mail",
      "mailGone",
      "member",
      "presence",
    ]);
    expect(Object.keys(SocialKind)).toHaveLength(8);
    const channels = new Set(social.filter((s) => s.type === "chat").map((s) => s.channel));
    for (const code of Object.values(ChatChannel)) expect(channels.has(code), `channel ${code}`).toBe(true);
    const commands = client.flatMap((v) => (isRecord(v.msg) && isRecord(v.msg.command) ? [v.msg.command] : []));
    const sent = new Set(commands.filter((c) => c.type === "chat").map((c) => c.channel));
    for (const code of Object.values(ChatChannel)) expect(sent.has(code), `command channel ${code}`).toBe(true);
  });

  it("has vectors for every friend state and every presence", () => {
    const social = server.flatMap((v) => (isRecord(v.msg) && isRecord(v.msg.social) ? [v.msg.social] : []));
    const states = new Set(social.filter((s) => s.type === "friend").map((s) => s.state));
    for (const code of Object.values(FriendState)) expect(states.has(code), `friend state ${code}`).toBe(true);
    const presences = new Set(social.filter((s) => s.type === "friend" || s.type === "presence").map((s) => s.presence));
    for (const code of Object.values(Presence)) expect(presences.has(code), `presence ${code}`).toBe(true);
    const mails = social.filter((s) => s.type === "mail").map((s) => s.text);
    expect(mails.some((t) => typeof t === "string" && t.includes("\n"))).toBe(true);
  });

  it("has vectors for every event type", () => {
    const types = new Set(events().map((e) => e.type));
    expect([...types].sort()).toEqual([
      "combat",
      "commandAck",
      "commandRejected",
      "disappeared",
      "forget",
      "job",
      "lastSeen",
      "resource",
      "sharing",
      "vision",
    ]);
  });

  it("has vectors for every sharing event and every command error since version 2", () => {
    const sharing = events().filter((e) => e.type === "sharing");
    const combos = new Set(sharing.map((e) => `${String(e.outgoing)}/${String(e.active)}`));
    expect([...combos].sort()).toEqual(["false/false", "false/true", "true/false", "true/true"]);
    const errors = new Set<unknown>(events().filter((e) => e.type === "commandRejected").map((e) => e.error));
    for (const v of server) if (isRecord(v.msg) && v.msg.type === "commandRejected") errors.add(v.msg.error);
    for (const code of Object.values(CommandError)) {
      if (code >= CommandError.UnknownTarget) expect(errors.has(code), `error ${code}`).toBe(true);
    }
  });

  it("has lastSeen vectors of a building and a resource field", () => {
    const kinds = new Set(events().filter((e) => e.type === "lastSeen").map((e) => e.kind));
    expect([EntityKind.Station, EntityKind.Extractor, EntityKind.Shipyard].some((k) => kinds.has(k))).toBe(true);
    expect([EntityKind.MetalField, EntityKind.CrystalField].some((k) => kinds.has(k))).toBe(true);
  });

  it.each(server.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const bytes = fromHex(v.hex);
    expect(decodeServerMsg(bytes)).toStrictEqual(v.msg);
    expect(toHex(encodeServerMsg(v.msg as ServerMsg))).toBe(v.hex);
  });
});

describe("invalid vectors", () => {
  it("covers every decode reason", () => {
    const seen = new Set(invalid.map((v) => v.error));
    for (const reason of DECODE_REASONS) expect(seen.has(reason), reason).toBe(true);
  });

  it.each(invalid.map((v) => [`${v.direction} ${v.name}`, v] as const))("%s", (_name, v) => {
    const bytes = fromHex(v.hex);
    const decode = v.direction === "client" ? decodeClientMsg : decodeServerMsg;
    expect(reasonOf(() => decode(bytes))).toBe(v.error);
  });
});
