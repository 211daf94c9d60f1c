// What the chat and alliance panels show (chatView.ts, allianceView.ts), the social orders and
// the social hooks of `window.__starlane`.
import { describe, expect, it } from "vitest";
import { allianceKey, allianceModel, allianceNameProblem, parseEmpireId, roleName } from "../src/allianceView";
import { chatLine, checkDraft, messagesOf, parseUserId, tabChannel } from "../src/chatView";
import { commandErrorText } from "../src/codes";
import { CommandLog } from "../src/commands";
import { Orders } from "../src/orders";
import { AllianceRole, ChatChannel, type Command, type SocialMsg } from "../src/protocol";
import { makeSocialHandle } from "../src/socialApi";
import { SocialState } from "../src/socialModel";

const ME = 7;
const MY_USER = 1001;

function inAlliance(myRole: number): SocialState {
  const s = new SocialState();
  s.empire = ME;
  const msgs: SocialMsg[] = [
    { type: "alliance", alliance: 3, name: "Blue Moon", role: myRole },
    { type: "member", alliance: 3, empire: ME, name: "me", role: myRole, present: true },
    { type: "member", alliance: 3, empire: 9, name: "bob", role: AllianceRole.Member, present: true },
    { type: "member", alliance: 3, empire: 4, name: "olga", role: AllianceRole.Officer, present: true },
  ];
  for (const m of msgs) s.apply(m, 0);
  return s;
}

describe("chat lines", () => {
  it("names the sender and replies to it; our own messages reply to their addressee", () => {
    const region = { channel: ChatChannel.Region, from: 42, fromName: "alice", to: 0, text: "<b>hi</b>" };
    expect(chatLine(region, MY_USER)).toEqual({
      tab: "region",
      tag: "[region]",
      sender: "alice",
      addressee: "",
      text: "<b>hi</b>",
      own: false,
      replyTo: 42,
    });
    const mine = { channel: ChatChannel.Private, from: MY_USER, fromName: "me", to: 42, text: "yo" };
    expect(chatLine(mine, MY_USER)).toMatchObject({ tab: "private", sender: "you", addressee: "→ user 42", own: true, replyTo: 42 });
    expect(chatLine({ ...region, from: MY_USER }, MY_USER)).toMatchObject({ own: true, replyTo: null });
    expect(chatLine({ ...region, fromName: "" }, MY_USER).sender).toBe("user 42");
    expect(chatLine({ ...region, channel: ChatChannel.Alliance }, null)).toMatchObject({ tab: "alliance", own: false });
  });

  it("lists a tab's channel only", () => {
    const log = [0, 1, 2, 0].map((channel, i) => ({ channel, from: 1, fromName: "a", to: 0, text: `${i}` }));
    expect(messagesOf(log, "region").map((m) => m.text)).toEqual(["0", "3"]);
    expect(messagesOf(log, "private").map((m) => m.text)).toEqual(["2"]);
    expect(["region", "alliance", "private"].map((t) => tabChannel(t as "region"))).toEqual([0, 1, 2]);
  });

  it("checks drafts in bytes and against the text rules", () => {
    expect(checkDraft("", "region", "")).toEqual({ ok: false, bytes: 0, problem: "" });
    expect(checkDraft("<b>hi</b> & 你好", "region", "")).toEqual({ ok: true, bytes: 18, problem: "" });
    expect(checkDraft("x".repeat(512), "alliance", "").ok).toBe(true);
    expect(checkDraft("x".repeat(513), "alliance", "")).toEqual({ ok: false, bytes: 513, problem: "too long: 513 of 512 bytes" });
    // 171 characters, 513 bytes.
    expect(checkDraft("你".repeat(171), "region", "").ok).toBe(false);
    expect(checkDraft("a\u202Eb", "region", "").problem).toMatch(/control or direction/);
    expect(checkDraft("hi", "private", "").problem).toBe("type the user id to write to");
    expect(checkDraft("hi", "private", "#42").ok).toBe(true);
  });

  it("parses user ids up to 2^53 - 1", () => {
    expect(parseUserId(" 42 ")).toBe(42);
    expect(parseUserId("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    for (const bad of ["", "0", "-1", "1.5", "9007199254740992", "4e3", "abc"]) expect(parseUserId(bad), bad).toBeNull();
  });
});

describe("allianceModel", () => {
  it("shows no panel before the Welcome and the create form with invitations outside an alliance", () => {
    const s = new SocialState();
    expect(allianceModel(s, null, null)).toBeNull();
    s.apply({ type: "invite", alliance: 3, name: "Blue Moon", from: 5, active: true }, 0);
    expect(allianceModel(s, ME, { owner: 9 })).toEqual({
      alliance: null,
      members: [],
      canInvite: false,
      offer: null,
      invites: [{ alliance: 3, name: "Blue Moon", from: 5 }],
    });
  });

  it("offers a leader every action on every other member", () => {
    const m = allianceModel(inAlliance(AllianceRole.Leader), ME, { owner: 12 });
    expect(m?.alliance).toEqual({ id: 3, name: "Blue Moon", role: 2 });
    expect(m?.canInvite).toBe(true);
    expect(m?.offer).toBe(12);
    const rows = m?.members.map((r) => [r.empire, r.me, r.canKick, r.canPromote, r.canDemote, r.canLead]);
    expect(rows).toEqual([
      [ME, true, false, false, false, false],
      [4, false, true, false, true, true],
      [9, false, true, true, false, true],
    ]);
  });

  it("lets an officer invite and remove members only, and a member do neither", () => {
    const officer = allianceModel(inAlliance(AllianceRole.Officer), ME, null);
    expect(officer?.canInvite).toBe(true);
    expect(officer?.members.filter((r) => r.canKick).map((r) => r.empire)).toEqual([9]);
    expect(officer?.members.some((r) => r.canPromote || r.canDemote || r.canLead)).toBe(false);
    const member = allianceModel(inAlliance(AllianceRole.Member), ME, { owner: 12 });
    expect([member?.canInvite, member?.offer]).toEqual([false, null]);
    expect(member?.members.some((r) => r.canKick)).toBe(false);
  });

  it("offers no invitation to a member's, our own or the neutral empire", () => {
    const s = inAlliance(AllianceRole.Leader);
    for (const owner of [9, ME, 0]) expect(allianceModel(s, ME, { owner })?.offer, `owner ${owner}`).toBeNull();
    const m = allianceModel(s, ME, { owner: 9 });
    expect(m?.members.find((r) => r.empire === 9)?.selected).toBe(true);
    expect(allianceKey(m)).not.toBe(allianceKey(allianceModel(s, ME, null)));
    expect(allianceKey(null)).toBe("");
  });

  it("checks names and ids as the region would", () => {
    expect(allianceNameProblem("Blue Moon")).toBe("");
    expect(allianceNameProblem("ab")).toMatch(/too short/);
    expect(allianceNameProblem("   ")).toBe("type a name");
    expect(allianceNameProblem("x".repeat(25))).toMatch(/too long/);
    expect(allianceNameProblem("a\u0007bc")).toMatch(/control/);
    expect(parseEmpireId("#9")).toBe(9);
    expect(parseEmpireId("4294967296")).toBeNull();
    expect(roleName(2)).toBe("leader");
    expect([21, 24, 28].map(commandErrorText)).toEqual(["invalid text", "not in alliance", "alliance name taken"]);
  });
});

describe("social orders and hooks", () => {
  function setup() {
    const commands = new CommandLog();
    const sent: [number, Command][] = [];
    const orders = new Orders({
      commands,
      send: (seq, command) => {
        sent.push([seq, command]);
        return true;
      },
      now: () => 0,
      recipeName: () => null,
    });
    return { commands, sent, orders };
  }

  it("numbers and labels every social command", () => {
    const { commands, sent, orders } = setup();
    expect(orders.chat(ChatChannel.Alliance, "hi")).toBe(true);
    expect(orders.chat(ChatChannel.Private, "psst", 42)).toBe(true);
    expect(orders.createAlliance("Blue Moon")).toBe(true);
    expect(orders.setAllianceRole(9, AllianceRole.Officer)).toBe(true);
    expect(sent.map(([, c]) => c)).toEqual([
      { type: "chat", channel: 1, text: "hi" },
      { type: "chat", channel: 2, to: 42, text: "psst" },
      { type: "createAlliance", name: "Blue Moon" },
      { type: "setAllianceRole", empire: 9, role: 1 },
    ]);
    expect(commands.reject(1, 24, 5)).toMatchObject({ unit: null, label: "alliance chat" });
    expect(commands.reject(2, 6, 5)?.label).toBe("private message to user 42");
    expect(commands.reject(4, 26, 5)?.label).toBe("make empire 9 officer");
    expect(commands.last).toEqual({ seq: 4, ok: false, error: "not permitted by your alliance role" });
  });

  it("sends nothing the wire cannot carry", () => {
    const commands = new CommandLog();
    // The real encoder's RangeError, as the connection would throw it.
    const orders = new Orders({
      commands,
      send: (_seq, command) => {
        if (command.type === "chat" && command.text.length > 512) throw new RangeError("too long");
        return true;
      },
      now: () => 0,
      recipeName: () => null,
    });
    expect(orders.chat(ChatChannel.Region, "x".repeat(513))).toBe(false);
    expect(orders.chat(ChatChannel.Private, "no addressee")).toBe(false);
    expect(orders.chat(5, "bad channel")).toBe(false);
    expect(commands.outstanding).toBe(0);
  });

  it("exposes the social state and sends through the hooks", () => {
    const { commands, sent, orders } = setup();
    const social = inAlliance(AllianceRole.Leader);
    social.apply({ type: "chat", channel: 0, from: 42, fromName: "alice", to: 0, text: "<i>x</i>" }, 5);
    const h = makeSocialHandle({ social, orders, commands, world: { sharedFrom: new Set([12]) } });
    const view = h.social();
    expect(view.chat).toEqual([
      { id: 1, channel: 0, channelName: "region", from: 42, fromName: "alice", to: 0, text: "<i>x</i>" },
    ]);
    expect(view.alliance).toEqual({ id: 3, name: "Blue Moon", role: 2 });
    expect(view.members.map((m) => m.empire)).toEqual([ME, 4, 9]);
    expect(view.allies).toEqual([4, 9, 12]);
    expect(h.sendChat("alliance", "hi")).toBe(1);
    expect(h.sendChat("private", "yo", 42)).toBe(2);
    expect(h.sendKickFromAlliance(9)).toBe(3);
    expect(h.sendLeaveAlliance()).toBe(4);
    expect(sent.map(([seq, c]) => [seq, c.type])).toEqual([
      [1, "chat"],
      [2, "chat"],
      [3, "kickFromAlliance"],
      [4, "leaveAlliance"],
    ]);
    // A copy: changing it does not change the state.
    view.members.length = 0;
    expect(h.social().members).toHaveLength(3);
  });
});
