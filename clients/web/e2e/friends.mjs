// Browser friends and mail scenario (protocol/SPEC.md §22, protocol version 6): two players, each
// in its own browser context, against one all-in-one server. A asks B to be friends by B's user
// id, typed into its friends panel; A reads Requested and B reads Asked; B accepts from its panel;
// both read Friends with the other in game, in the model and in the panel. A writes B a mail from
// its mail panel holding markup, multi-byte text and a line break; B receives it exactly as sent,
// its page shows it as text (no element made of it, the line break kept, no dialog). B deletes it
// from its panel and it is gone. A removes B from its panel: the entry is gone on both sides.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, accepted, endScenario, launchBrowser, nextSeq, player, startServer, waitFor } from "./lib.mjs";

/** FriendState codes (SPEC.md §8). */
const REQUESTED = 1;
const ASKED = 2;
const FRIENDS = 3;
/** Presence InGame. */
const IN_GAME = 2;

const MAIL_TEXT = "<b>hi</b> & 你好\n<img src=x onerror=alert(1)>";

/** Opens the <details> panel `#id` of `page` with a click on its title, unless it is open. */
async function openPanel(page, id) {
  const open = await page.evaluate((i) => document.getElementById(i)?.open === true, id);
  if (!open) await page.click(`#${id} > summary`);
  await waitFor(page, (i) => document.getElementById(i)?.open === true, id, `#${id} open`, 5_000);
}

/** Waits until `page` lists user `user` with state `state` (and presence `presence`, unless null). */
function friendState(page, user, state, presence, what) {
  return waitFor(page, ({ u, s, p }) => window.__starlane.social().friends.some((f) =>
    f.user === u && f.state === s && (p === null || f.presence === p)), { u: user, s: state, p: presence }, what);
}

/** Waits until neither the model nor the panel of `page` lists user `user`. */
function friendGone(page, user, what) {
  return waitFor(page, (u) => !window.__starlane.social().friends.some((f) => f.user === u) &&
    document.querySelector(`#friends .friend[data-user="${u}"]`) === null, user, what);
}

/** The row of user `user` in the friends panel of `page` as shown, or null. */
function shownFriend(page, user) {
  return page.evaluate((u) => {
    const r = document.querySelector(`#friends .friend[data-user="${u}"]`);
    if (!r) return null;
    return {
      state: r.dataset.state ?? null,
      presence: r.dataset.presence ?? null,
      name: r.querySelector(".name")?.textContent ?? null,
      stateText: r.querySelector(".state")?.textContent ?? null,
      presenceText: r.querySelector(".presence")?.textContent ?? null,
      actions: [...r.querySelectorAll("button")].map((b) => b.dataset.action),
    };
  }, user);
}

/** Checks that `page`'s panel shows `user` (named `name`) as a friend in game. */
async function showsFriendInGame(page, user, name, who) {
  await waitFor(page, ({ u, s }) => document.querySelector(`#friends .friend[data-user="${u}"]`)?.dataset.state === s,
    { u: user, s: String(FRIENDS) }, `${who}'s panel showing user ${user} as a friend`, 5_000);
  const row = await shownFriend(page, user);
  console.log(`${who}'s friends panel: ${JSON.stringify(row)}`);
  if (row?.name !== name || row.stateText !== "friends" || row.presence !== String(IN_GAME) || row.presenceText !== "in game") {
    throw new Error(`${who}'s panel does not show ${name} as a friend in game: ${JSON.stringify(row)}`);
  }
  if (!row.actions.includes("remove") || row.actions.includes("accept")) {
    throw new Error(`${who}'s panel offers the wrong buttons: ${JSON.stringify(row.actions)}`);
  }
}

/** The mail `id` in the mail panel of `page` as shown, or null. */
function shownMail(page, id) {
  return page.evaluate((i) => {
    const m = document.querySelector(`#mail .mail-item[data-id="${i}"]`);
    const text = m?.querySelector(".text");
    if (!m || !text) return null;
    return {
      from: m.dataset.from ?? null,
      sender: m.querySelector(".sender")?.textContent ?? null,
      time: m.querySelector(".time")?.textContent ?? null,
      text: text.textContent,
      rendered: text.innerText,
      whiteSpace: getComputedStyle(text).whiteSpace,
      tags: [...new Set([...document.querySelectorAll("#mail .inbox *")].map((e) => e.localName))].sort(),
      markup: document.querySelectorAll("#mail img, #mail b, #social img").length,
    };
  }, id);
}

export async function friendsScenario(fail) {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-friends-"));
  const server = startServer(dataDir, ["--ai-empires", "0"]);
  let browser;
  let a;
  let b;
  try {
    const ready = await server.ready;
    browser = await launchBrowser();
    const tag = Date.now() % 100000;
    a = await player(browser, ready.http, `e2e-friends-a-${tag}`);
    b = await player(browser, ready.http, `e2e-friends-b-${tag}`);
    if (!(a.userId > 0 && b.userId > 0) || a.userId === b.userId) {
      throw new Error(`user ids: A ${a.userId}, B ${b.userId}`);
    }

    // A asks B by user id, typed into its friends panel.
    await openPanel(a.page, "friends");
    await accepted(a.page, () => nextSeq(a.page, async () => {
      await a.page.fill("#friends .add-form input.user", String(b.userId));
      await a.page.press("#friends .add-form input.user", "Enter");
    }, "add friend"), `A asks user ${b.userId}`);
    await friendState(a.page, b.userId, REQUESTED, null, "A reading Requested");
    await friendState(b.page, a.userId, ASKED, null, "B reading Asked");
    const asked = (await b.page.evaluate(() => window.__starlane.social().friends))
      .find((f) => f.user === a.userId);
    console.log(`B's request: ${JSON.stringify(asked)}`);
    if (asked?.name !== a.name) throw new Error(`the request does not name A: ${JSON.stringify(asked)}`);
    await waitFor(b.page, (n) => window.__starlane.notices().some((l) => l.includes(`friend request from ${n}`)), a.name,
      "B's notice of the request", 5_000);

    // B sees Asked in its panel and accepts there.
    await openPanel(b.page, "friends");
    const row = await shownFriend(b.page, a.userId);
    console.log(`B's panel before accepting: ${JSON.stringify(row)}`);
    if (row?.stateText !== "asked" || row.state !== String(ASKED) || !row.actions.includes("accept")) {
      throw new Error(`B's panel does not offer to accept: ${JSON.stringify(row)}`);
    }
    await accepted(b.page, () => nextSeq(b.page,
      () => b.page.click(`#friends .friend[data-user="${a.userId}"] button[data-action=accept]`), "accept"), "B accepts");

    // Both are friends, each seeing the other in game (both just sent a command).
    await friendState(a.page, b.userId, FRIENDS, IN_GAME, "A reading B as a friend in game");
    await friendState(b.page, a.userId, FRIENDS, IN_GAME, "B reading A as a friend in game");
    await showsFriendInGame(a.page, b.userId, b.name, "A");
    await showsFriendInGame(b.page, a.userId, a.name, "B");
    await waitFor(a.page, (n) => window.__starlane.notices().some((l) => l.includes(`${n} (user`) && l.includes("accepted")),
      b.name, "A's notice of the acceptance", 5_000);
    await a.page.screenshot({ path: join(ARTIFACTS, "browser-friends-a.png") });

    // A writes B a mail from its mail panel.
    await openPanel(a.page, "mail");
    await accepted(a.page, () => nextSeq(a.page, async () => {
      await a.page.fill("#mail form.compose input.to", String(b.userId));
      await a.page.fill("#mail form.compose textarea.text", MAIL_TEXT);
      await a.page.click("#mail form.compose button.send");
    }, "send mail"), `A mails user ${b.userId}`);
    const draft = await a.page.inputValue("#mail form.compose textarea.text");
    if (draft !== "") throw new Error(`the sent mail stayed in the form: ${JSON.stringify(draft)}`);

    // B receives it exactly as sent, from A, sent just now.
    await waitFor(b.page, ({ from, text }) => window.__starlane.social().mail.some((m) => m.from === from && m.text === text),
      { from: a.userId, text: MAIL_TEXT }, "B's mail");
    const got = (await b.page.evaluate(() => window.__starlane.social().mail)).find((m) => m.from === a.userId);
    console.log(`B's mail: ${JSON.stringify(got)}`);
    if (got.fromName !== a.name) throw new Error(`the mail does not name A: ${JSON.stringify(got)}`);
    if (Math.abs(got.sentAt - Date.now() / 1000) > 300) throw new Error(`sent at ${got.sentAt}, not now`);
    const aMail = await a.page.evaluate(() => window.__starlane.social().mail);
    if (aMail.some((m) => m.text === MAIL_TEXT)) throw new Error(`the mail went to A's mailbox too: ${JSON.stringify(aMail)}`);

    // B's panel shows it as text, the line break kept; nothing in it became an element.
    await openPanel(b.page, "mail");
    await waitFor(b.page, (id) => document.querySelector(`#mail .mail-item[data-id="${id}"]`) !== null, got.id,
      "the mail in B's panel", 5_000);
    await b.page.waitForTimeout(500);
    const shown = await shownMail(b.page, got.id);
    console.log(`B's mail panel: ${JSON.stringify(shown)}`);
    if (shown?.text !== MAIL_TEXT || shown.sender !== a.name || shown.from !== String(a.userId)) {
      throw new Error(`mail not shown as sent: ${JSON.stringify(shown)}`);
    }
    if (shown.whiteSpace !== "pre-wrap" || !shown.rendered.includes("\n")) {
      throw new Error(`the mail's line break is not shown: ${JSON.stringify(shown)}`);
    }
    if (shown.markup !== 0 || shown.tags.some((t) => !["button", "div", "span", "time"].includes(t))) {
      throw new Error(`the mail text made elements: ${JSON.stringify(shown)}`);
    }
    if (b.dialogs.length > 0) throw new Error(`B opened dialogs: ${b.dialogs}`);
    await b.page.screenshot({ path: join(ARTIFACTS, "browser-friends-b-mail.png") });

    // B deletes it from its panel: gone from the model and the panel.
    await accepted(b.page, () => nextSeq(b.page,
      () => b.page.click(`#mail .mail-item[data-id="${got.id}"] button[data-action=delete]`), "delete mail"), "B deletes the mail");
    await waitFor(b.page, (id) => !window.__starlane.social().mail.some((m) => m.id === id) &&
      document.querySelector(`#mail .mail-item[data-id="${id}"]`) === null, got.id, "the mail gone from B's mailbox");

    // A removes B from its panel: the entry is gone on both sides.
    await accepted(a.page, () => nextSeq(a.page,
      () => a.page.click(`#friends .friend[data-user="${b.userId}"] button[data-action=remove]`), "remove friend"),
      `A removes user ${b.userId}`);
    await friendGone(a.page, b.userId, "B gone from A's friends");
    await friendGone(b.page, a.userId, "A gone from B's friends");
    for (const p of [a, b]) if (p.dialogs.length > 0) throw new Error(`${p.name} opened dialogs: ${p.dialogs}`);
  } catch (e) {
    for (const p of [a, b]) {
      if (p) await p.page.screenshot({ path: join(ARTIFACTS, `browser-friends-${p.name}-failed.png`) }).catch(() => {});
    }
    const logs = [a, b].filter(Boolean).map((p) => `${p.name}:\n${p.consoleLines.slice(-30).join("\n")}`).join("\n");
    throw new Error(`${e.message}\nbrowser consoles:\n${logs}`);
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
}
