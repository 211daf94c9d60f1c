// The client's social state (SPEC.md §21): chat log, alliance, members, invitations, allies.
import { describe, expect, it } from "vitest";
import { AllianceRole, ChatChannel } from "../src/protocol";
import type { SocialMsg } from "../src/protocol";
import { MAX_CHAT_LOG, SocialState } from "../src/socialModel";

const ME = 7;

function state(): SocialState {
  const s = new SocialState();
  s.empire = ME;
  return s;
}

function chat(text: string, channel: number = ChatChannel.Region, from = 42, to = 0): SocialMsg {
  return { type: "chat", channel, from, fromName: `user${from}`, to, text };
}

function member(empire: number, role: number, present = true, alliance = 3): SocialMsg {
  return { type: "member", alliance, empire, name: `p${empire}`, role, present };
}

const blueMoon = (role: number = AllianceRole.Leader): SocialMsg => ({ type: "alliance", alliance: 3, name: "Blue Moon", role });

describe("SocialState chat", () => {
  it("keeps messages in order with ids and arrival times, text untouched", () => {
    const s = state();
    s.apply(chat("<b>hi</b> & 你好"), 10);
    s.apply(chat("psst", ChatChannel.Private, 9, 42), 20);
    expect(s.received).toBe(2);
    expect(s.chat).toEqual([
      { id: 1, atMs: 10, channel: 0, from: 42, fromName: "user42", to: 0, text: "<b>hi</b> & 你好" },
      { id: 2, atMs: 20, channel: 2, from: 9, fromName: "user9", to: 42, text: "psst" },
    ]);
  });

  it("keeps only the last MAX_CHAT_LOG messages", () => {
    const s = state();
    for (let i = 1; i <= MAX_CHAT_LOG + 50; i++) s.apply(chat(`m${i}`), i);
    expect(s.chat).toHaveLength(MAX_CHAT_LOG);
    expect(s.chat[0]?.text).toBe("m51");
    expect(s.chat.at(-1)).toMatchObject({ id: MAX_CHAT_LOG + 50, text: `m${MAX_CHAT_LOG + 50}` });
    expect(s.received).toBe(MAX_CHAT_LOG + 50);
  });

  it("keeps the chat log across a reset of the alliance", () => {
    const s = state();
    s.apply(chat("gg"), 1);
    s.apply(blueMoon(), 2);
    s.resetAlliance();
    expect(s.chat).toHaveLength(1);
    expect(s.alliance).toBeNull();
  });
});

describe("SocialState alliance", () => {
  it("founds, fills and leaves an alliance", () => {
    const s = state();
    s.apply(blueMoon(), 1);
    s.apply(member(ME, AllianceRole.Leader), 1);
    s.apply(member(9, AllianceRole.Member), 2);
    s.apply(member(4, AllianceRole.Officer), 3);
    expect(s.alliance).toEqual({ id: 3, name: "Blue Moon", role: AllianceRole.Leader });
    expect(s.sortedMembers().map((m) => [m.empire, m.role])).toEqual([
      [ME, 2],
      [4, 1],
      [9, 0],
    ]);
    expect([...s.allianceEmpires()].sort()).toEqual([4, 9]);
    // 9 leaves, then we do.
    s.apply(member(9, AllianceRole.Member, false), 4);
    expect([...s.allianceEmpires()]).toEqual([4]);
    s.apply({ type: "alliance", alliance: 0, name: "", role: 0 }, 5);
    expect(s.alliance).toBeNull();
    expect(s.members.size).toBe(0);
    expect(s.allianceEmpires().size).toBe(0);
  });

  it("follows our role from Alliance and from our own Member", () => {
    const s = state();
    s.apply(blueMoon(AllianceRole.Member), 1);
    s.apply(member(ME, AllianceRole.Member), 1);
    s.apply(member(ME, AllianceRole.Officer), 2);
    expect(s.alliance?.role).toBe(AllianceRole.Officer);
    s.apply(blueMoon(AllianceRole.Leader), 3);
    expect(s.alliance?.role).toBe(AllianceRole.Leader);
  });

  it("drops the alliance when our own Member leaves (kicked)", () => {
    const s = state();
    s.apply(blueMoon(AllianceRole.Member), 1);
    s.apply(member(5, AllianceRole.Leader), 1);
    s.apply(member(ME, AllianceRole.Member), 1);
    s.apply(member(ME, AllianceRole.Member, false), 2);
    expect(s.alliance).toBeNull();
    expect(s.members.size).toBe(0);
  });

  it("ignores members of another alliance and keeps early ones of the right one", () => {
    const s = state();
    // Members that arrive before the Alliance message are kept if they are of it.
    s.apply(member(9, AllianceRole.Member, true, 3), 1);
    s.apply(member(8, AllianceRole.Member, true, 4), 1);
    s.apply(blueMoon(), 2);
    expect([...s.members.keys()]).toEqual([9]);
    s.apply(member(6, AllianceRole.Member, true, 4), 3);
    expect([...s.members.keys()]).toEqual([9]);
    // Switching alliances drops the old members.
    s.apply({ type: "alliance", alliance: 4, name: "Red Sun", role: 0 }, 4);
    expect(s.members.size).toBe(0);
  });

  it("tracks invitations and forgets them with the alliance on a reset", () => {
    const s = state();
    s.apply({ type: "invite", alliance: 3, name: "Blue Moon", from: 5, active: true }, 1);
    s.apply({ type: "invite", alliance: 1, name: "Red Sun", from: 2, active: true }, 1);
    expect(s.sortedInvites()).toEqual([
      { alliance: 1, name: "Red Sun", from: 2 },
      { alliance: 3, name: "Blue Moon", from: 5 },
    ]);
    s.apply({ type: "invite", alliance: 3, name: "Blue Moon", from: 5, active: false }, 2);
    expect(s.sortedInvites().map((i) => i.alliance)).toEqual([1]);
    s.apply(blueMoon(), 3);
    s.apply(member(9, 0), 3);
    s.resetAlliance();
    expect([s.alliance, s.members.size, s.invites.size]).toEqual([null, 0, 0]);
  });
});

describe("SocialState allies", () => {
  it("draws the alliance's members and the empires sharing with us as allies", () => {
    const s = state();
    const shared = new Set([12]);
    expect(s.allies(shared)).toBe(shared);
    s.apply(blueMoon(), 1);
    s.apply(member(ME, AllianceRole.Leader), 1);
    s.apply(member(9, AllianceRole.Member), 1);
    expect([...s.allies(shared)].sort((a, b) => a - b)).toEqual([9, 12]);
    expect([...s.allies(new Set())]).toEqual([9]);
    // The same set while nothing changes (no allocation per frame).
    expect(s.allianceEmpires()).toBe(s.allianceEmpires());
    s.apply(member(9, AllianceRole.Member, false), 2);
    expect(s.allies(shared)).toBe(shared);
  });
});
