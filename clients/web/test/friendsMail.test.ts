// Friends, presence and mail in the client (SPEC.md §22): the social state fed by Social kinds 4
// to 7, what the friends and mail panels show (friendsView.ts, mailView.ts), the orders and the
// hooks of `window.__starlane`.
import { describe, expect, it } from "vitest";
import { commandErrorText } from "../src/codes";
import { CommandLog } from "../src/commands";
import { friendTarget, friendsModel, friendsTitle, presenceClass } from "../src/friendsView";
import { checkMailDraft, formatSentAt, inboxRows, isoSentAt, mailRow, mailTitle } from "../src/mailView";
import { Orders } from "../src/orders";
import { type Command, FriendState, Presence, type SocialMsg } from "../src/protocol";
import { makeSocialHandle } from "../src/socialApi";
import { SocialState } from "../src/socialModel";

const ME = 1001;
const { None, Requested, Asked, Friends } = FriendState;
const { Offline, Online, InGame } = Presence;

function friend(user: number, state: number, presence: number = Offline, name = `p${user}`): SocialMsg {
  return { type: "friend", user, name, state, presence };
}

function mail(id: number, sentAt: number, text = `mail ${id}`, from = 42): SocialMsg {
  return { type: "mail", id, from, fromName: `p${from}`, sentAt, text };
}

function withAll(msgs: SocialMsg[]): SocialState {
  const s = new SocialState();
  for (const m of msgs) s.apply(m, 0);
  return s;
}

describe("SocialState friends", () => {
  it("follows a request from asked to friends, with presence, until it ends", () => {
    const s = new SocialState();
    const r0 = s.friendsRevision;
    s.apply(friend(42, Asked, Offline, "alice"), 1);
    expect([...s.friends.values()]).toEqual([{ user: 42, name: "alice", state: Asked, presence: Offline }]);
    s.apply(friend(42, Friends, InGame, "alice"), 2);
    expect(s.friends.get(42)).toMatchObject({ state: Friends, presence: InGame });
    s.apply({ type: "presence", user: 42, presence: Online }, 3);
    expect(s.friends.get(42)?.presence).toBe(Online);
    expect(s.friendsRevision).toBe(r0 + 3);
    // None: the friendship ended; the entry goes.
    s.apply(friend(42, None), 4);
    expect(s.friends.size).toBe(0);
    expect(s.friendsRevision).toBe(r0 + 4);
  });

  it("ignores the presence of a player it does not list, and a presence that did not change", () => {
    const s = withAll([friend(7, Friends, Online)]);
    const r = s.friendsRevision;
    s.apply({ type: "presence", user: 8, presence: InGame }, 1);
    s.apply({ type: "presence", user: 7, presence: Online }, 1);
    expect([s.friends.size, s.friends.has(8), s.friendsRevision]).toEqual([1, false, r]);
  });

  it("lists requests to answer first, then friends in game, online, offline, then ours", () => {
    const s = withAll([
      friend(1, Requested, Offline, "zed"),
      friend(2, Friends, Offline, "bob"),
      friend(3, Friends, InGame, "carol"),
      friend(4, Asked, Offline, "dave"),
      friend(5, Friends, Online, "erin"),
      friend(6, Friends, InGame, "abe"),
    ]);
    expect(s.sortedFriends().map((f) => f.user)).toEqual([4, 6, 3, 5, 2, 1]);
  });

  it("keeps the chat and the alliance when the friends and mail are reset, and the other way round", () => {
    const s = withAll([
      { type: "chat", channel: 0, from: 42, fromName: "a", to: 0, text: "gg" },
      friend(42, Friends, InGame),
      mail(1, 100),
    ]);
    s.resetAlliance();
    expect([s.friends.size, s.mail.size]).toEqual([1, 1]);
    s.resetFriendsAndMail();
    expect([s.friends.size, s.mail.size, s.chat.length]).toEqual([0, 0, 1]);
  });
});

describe("SocialState mailbox", () => {
  it("keeps mails by id, oldest first, text untouched, until they are gone", () => {
    const text = "<b>hi</b> & 你好\n<img src=x onerror=alert(1)>";
    const s = withAll([mail(9, 300), mail(3, 100, text), mail(5, 300)]);
    expect(s.inbox().map((m) => m.id)).toEqual([3, 5, 9]);
    expect(s.mail.get(3)).toEqual({ id: 3, from: 42, fromName: "p42", sentAt: 100, text });
    const r = s.mailRevision;
    s.apply({ type: "mailGone", id: 5 }, 1);
    expect(s.inbox().map((m) => m.id)).toEqual([3, 9]);
    // An unknown id changes nothing.
    s.apply({ type: "mailGone", id: 77 }, 1);
    expect(s.mailRevision).toBe(r + 1);
    // The same mail again (a session that opened again) is kept once.
    s.apply(mail(3, 100, text), 2);
    expect(s.mail.size).toBe(2);
  });
});

describe("friendsModel", () => {
  it("shows no panel before the Welcome, and each row with what may be done", () => {
    const s = withAll([
      friend(4, Asked, Offline, "dave"),
      friend(3, Friends, InGame, "<b>carol</b>"),
      friend(1, Requested),
      friend(2, Friends, Offline, ""),
    ]);
    expect(friendsModel(s, null)).toBeNull();
    const m = friendsModel(s, ME);
    const rows = m?.rows.map((r) => [r.user, r.name, r.state, r.stateLabel, r.presence, r.canAccept, r.canMail, r.removeLabel]);
    expect(rows).toEqual([
      [4, "dave", Asked, "asked", null, true, false, "decline"],
      [3, "<b>carol</b>", Friends, "friends", InGame, false, true, "remove"],
      [2, "user 2", Friends, "friends", Offline, false, true, "remove"],
      [1, "p1", Requested, "requested", null, false, false, "withdraw"],
    ]);
    expect([m?.friends, m?.online, m?.asked]).toEqual([2, 1, 1]);
    expect(m && friendsTitle(m)).toBe("friends 1/2 online · 1 request");
    expect(friendsTitle({ rows: [], friends: 0, online: 0, asked: 2 })).toBe("friends 0/0 online · 2 requests");
    expect([Offline, Online, InGame].map(presenceClass)).toEqual(["offline", "online", "in-game"]);
  });

  it("checks the user id typed into the add form", () => {
    expect(friendTarget(" #42 ", ME)).toEqual({ user: 42 });
    expect(friendTarget("9007199254740991", ME)).toEqual({ user: Number.MAX_SAFE_INTEGER });
    expect(friendTarget(String(ME), ME)).toEqual({ problem: "that is your own user id" });
    for (const bad of ["", "0", "x", "9007199254740992"]) expect("problem" in friendTarget(bad, ME), bad).toBe(true);
  });
});

describe("mail view", () => {
  it("shows a mail's sender, time and text as received", () => {
    const sentAt = 1796000000;
    const row = mailRow({ id: 1, from: 42, fromName: "", sentAt, text: "a\nb" });
    expect(row).toMatchObject({ id: 1, from: 42, sender: "user 42", text: "a\nb", isoTime: "2026-11-30T00:53:20.000Z" });
    const d = new Date(sentAt * 1000);
    expect(row.time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(row.time.startsWith(String(d.getFullYear()))).toBe(true);
    expect(row.time.endsWith(`:${String(d.getMinutes()).padStart(2, "0")}`)).toBe(true);
    expect(formatSentAt(0)).toMatch(/^19(69|70)-/);
    expect(isoSentAt(Number.MAX_SAFE_INTEGER)).toBe("");
    expect(inboxRows(withAll([mail(2, 5), mail(1, 9)])).map((r) => r.id)).toEqual([2, 1]);
    expect([mailTitle(3, 0), mailTitle(3, 1)]).toEqual(["mail (3)", "mail (3, 1 new)"]);
  });

  it("checks drafts: line breaks allowed, 1000 bytes, a recipient other than us", () => {
    const text = "<b>hi</b> & 你好\n<img src=x onerror=alert(1)>";
    expect(checkMailDraft(text, "42", ME)).toEqual({ ok: true, bytes: 47, problem: "" });
    expect(checkMailDraft("", "42", ME)).toEqual({ ok: false, bytes: 0, problem: "" });
    expect(checkMailDraft("\n \n", "42", ME).ok).toBe(false);
    expect(checkMailDraft("x".repeat(1000), "42", ME).ok).toBe(true);
    expect(checkMailDraft("x".repeat(1001), "42", ME).problem).toBe("too long: 1001 of 1000 bytes");
    expect(checkMailDraft("x".repeat(1500), "42", ME, 2000).ok).toBe(true);
    expect(checkMailDraft("a\r\nb", "42", ME).problem).toMatch(/control or direction/);
    expect(checkMailDraft("a\u202Eb", "42", ME).problem).toMatch(/control or direction/);
    expect(checkMailDraft("hi", "", ME).problem).toBe("type the user id to write to");
    expect(checkMailDraft("hi", String(ME), ME).problem).toBe("that is your own user id");
  });
});

describe("friend and mail orders and hooks", () => {
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

  it("numbers and labels every friend and mail command, and names the new errors", () => {
    const { commands, sent, orders } = setup();
    expect(orders.addFriend(42)).toBe(true);
    expect(orders.removeFriend(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(orders.sendMail(42, "a\nb")).toBe(true);
    expect(orders.deleteMail(300)).toBe(true);
    expect(sent.map(([, c]) => c)).toEqual([
      { type: "addFriend", user: 42 },
      { type: "removeFriend", user: Number.MAX_SAFE_INTEGER },
      { type: "sendMail", to: 42, text: "a\nb" },
      { type: "deleteMail", id: 300 },
    ]);
    expect(commands.reject(1, 29, 5)).toMatchObject({ unit: null, label: "befriend user 42" });
    expect(commands.reject(3, 31, 5)?.label).toBe("mail to user 42");
    expect(commands.reject(4, 32, 5)?.label).toBe("delete mail 300");
    expect(commands.last).toEqual({ seq: 4, ok: false, error: "no such mail" });
    expect([29, 30, 31, 32].map(commandErrorText)).toEqual([
      "no such player",
      "too many friends or friend requests",
      "the recipient's mailbox is full",
      "no such mail",
    ]);
  });

  it("sends no mail the wire cannot carry", () => {
    const commands = new CommandLog();
    const orders = new Orders({
      commands,
      send: (_seq, command) => {
        if (command.type === "sendMail" && command.text.length > 2000) throw new RangeError("too long");
        return true;
      },
      now: () => 0,
      recipeName: () => null,
    });
    expect(orders.sendMail(42, "x".repeat(2001))).toBe(false);
    expect(commands.outstanding).toBe(0);
  });

  it("exposes the friends and the mailbox and sends through the hooks", () => {
    const { commands, sent, orders } = setup();
    const social = withAll([friend(42, Friends, InGame, "alice"), friend(9, Asked, Offline, "bob"), mail(7, 100, "hi\nthere")]);
    const h = makeSocialHandle({ social, orders, commands, world: { sharedFrom: new Set() } });
    const view = h.social();
    expect(view.friends).toEqual([
      { user: 9, name: "bob", state: Asked, stateName: "asked", presence: Offline, presenceName: "offline" },
      { user: 42, name: "alice", state: Friends, stateName: "friends", presence: InGame, presenceName: "in game" },
    ]);
    expect(view.mail).toEqual([{ id: 7, from: 42, fromName: "p42", sentAt: 100, text: "hi\nthere" }]);
    expect(h.sendAddFriend(9)).toBe(1);
    expect(h.sendRemoveFriend(42)).toBe(2);
    expect(h.sendMail(42, "yo")).toBe(3);
    expect(h.sendDeleteMail(7)).toBe(4);
    expect(sent.map(([seq, c]) => [seq, c.type])).toEqual([
      [1, "addFriend"],
      [2, "removeFriend"],
      [3, "sendMail"],
      [4, "deleteMail"],
    ]);
    // Copies: changing them does not change the state.
    view.friends.length = 0;
    view.mail.length = 0;
    expect([h.social().friends.length, h.social().mail.length]).toEqual([2, 1]);
  });
});
