// Browser social scenario (protocol/SPEC.md §21, protocol version 5): two players, each in its
// own browser context, against one all-in-one server. A founds the alliance "Blue Moon" from the
// alliance panel and invites B's empire by its id; B accepts from its panel; both list each
// other as members and draw each other's units as allies'. A says an alliance chat (hook) and a region chat (typed into the chat panel)
// holding markup and multi-byte text; B receives both exactly as sent, and its page shows them as
// text (no element made of them, no dialog). B clicks A's name in its log and answers privately
// from the panel; A receives it. A removes B with its kick button: they are allies no more, and
// B's next alliance chat is refused with NotInAlliance.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, accepted, answerOf, endScenario, launchBrowser, nextSeq, player, startServer, waitFor } from "./lib.mjs";

/** ChatChannel codes (SPEC.md §8). */
const REGION = 0;
const ALLIANCE = 1;
const PRIVATE = 2;
/** AllianceRole codes. */
const MEMBER = 0;
const LEADER = 2;
/** CommandError NotInAlliance. */
const NOT_IN_ALLIANCE = 24;

const ALLIANCE_NAME = "Blue Moon";
const MARKUP = "<b>hi</b> & 你好";
const ALLIANCE_TEXT = `${MARKUP} (alliance)`;
const REGION_TEXT = `${MARKUP} <img src=x onerror=alert(1)>`;
const PRIVATE_TEXT = "psst <script>alert(2)</script> 🚀";

/** The chat log lines of `page`'s panel as shown: tag, sender and text as textContent, and the
 * element names inside the log (only the panel's own). */
function shownChat(page) {
  return page.evaluate(() => ({
    lines: [...document.querySelectorAll("#chat .log .msg")].map((m) => ({
      tag: m.querySelector(".tag")?.textContent ?? null,
      sender: m.querySelector(".sender")?.textContent ?? null,
      text: m.querySelector(".text")?.textContent ?? null,
    })),
    tags: [...new Set([...document.querySelectorAll("#chat .log *")].map((e) => e.localName))].sort(),
  }));
}

export async function socialScenario(fail) {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-social-"));
  const server = startServer(dataDir, ["--ai-empires", "0"]);
  let browser;
  let a;
  let b;
  try {
    const ready = await server.ready;
    browser = await launchBrowser();
    const tag = Date.now() % 100000;
    a = await player(browser, ready.http, `e2e-social-a-${tag}`);
    b = await player(browser, ready.http, `e2e-social-b-${tag}`);
    if (a.empire === b.empire) throw new Error(`both players in empire ${a.empire}`);

    // A founds the alliance from its panel and invites B's empire by id.
    await accepted(a.page, () => nextSeq(a.page, async () => {
      await a.page.fill("#alliance .create-form input.name", ALLIANCE_NAME);
      await a.page.click("#alliance .create-form button");
    }, "create alliance"), "A creates Blue Moon");
    await waitFor(a.page, ({ name, leader }) => {
      const s = window.__starlane.social();
      return s.alliance?.name === name && s.alliance.role === leader;
    }, { name: ALLIANCE_NAME, leader: LEADER }, "A leading Blue Moon");
    await accepted(a.page, () => nextSeq(a.page, async () => {
      await a.page.fill("#alliance .invite-form input.empire", String(b.empire));
      await a.page.press("#alliance .invite-form input.empire", "Enter");
    }, "invite"), `A invites empire ${b.empire}`);

    // B sees the invitation and accepts it from its panel.
    await waitFor(b.page, (name) => window.__starlane.social().invites.some((i) => i.name === name),
      ALLIANCE_NAME, "B's invitation");
    await accepted(b.page, () => nextSeq(b.page, () => b.page.click("#alliance .invite button[data-action=join]"), "join"),
      "B accepts");
    const members = (page, empires) => waitFor(page, (want) => {
      const have = window.__starlane.social().members.map((m) => `${m.empire}:${m.role}`);
      return want.every((w) => have.includes(w));
    }, empires, "both members listed");
    const both = [`${a.empire}:${LEADER}`, `${b.empire}:${MEMBER}`];
    await members(a.page, both);
    await members(b.page, both);
    // Each draws the other's units as allies' (blue).
    const allies = (page, empire, want) => waitFor(page, ({ e, w }) => window.__starlane.social().allies.includes(e) === w,
      { e: empire, w: want }, `empire ${empire} ${want ? "an" : "no longer an"} ally`);
    await allies(a.page, b.empire, true);
    await allies(b.page, a.empire, true);
    const bView = await b.page.evaluate(() => window.__starlane.social());
    console.log(`B's alliance: ${JSON.stringify(bView.alliance)}, members ${JSON.stringify(bView.members)}`);
    if (bView.alliance?.name !== ALLIANCE_NAME || bView.alliance.role !== MEMBER) {
      throw new Error(`B's alliance: ${JSON.stringify(bView.alliance)}`);
    }

    // A: an alliance chat (hook), then a region chat typed into the panel and sent with Enter.
    await accepted(a.page, () => a.page.evaluate((t) => window.__starlane.sendChat("alliance", t), ALLIANCE_TEXT),
      "A's alliance chat");
    await accepted(a.page, () => nextSeq(a.page, async () => {
      await a.page.click('#chat .tabs button[data-tab="region"]');
      await a.page.fill("#chat .send input.text", REGION_TEXT);
      await a.page.press("#chat .send input.text", "Enter");
    }, "region chat"), "A's region chat");

    // B receives both, exactly as sent, from A.
    const got = (page, want) => waitFor(page, (w) => window.__starlane.social().chat.some((m) =>
      m.channel === w.channel && m.from === w.from && m.text === w.text && m.to === w.to), want, `chat ${JSON.stringify(want)}`);
    await got(b.page, { channel: ALLIANCE, from: a.userId, to: 0, text: ALLIANCE_TEXT });
    await got(b.page, { channel: REGION, from: a.userId, to: 0, text: REGION_TEXT });
    const fromA = (await b.page.evaluate(() => window.__starlane.social().chat)).filter((m) => m.from === a.userId);
    console.log(`B received: ${JSON.stringify(fromA)}`);
    if (fromA.some((m) => m.fromName !== a.name)) throw new Error(`sender name is not A's: ${JSON.stringify(fromA)}`);

    // B's page shows them as text: the region tab, then the alliance tab.
    const region = await shownChat(b.page);
    console.log(`B's region tab: ${JSON.stringify(region)}`);
    if (!region.lines.some((l) => l.text === REGION_TEXT && l.sender === a.name && l.tag === "[region]")) {
      throw new Error(`region chat not shown as sent: ${JSON.stringify(region)}`);
    }
    if (region.tags.some((t) => t !== "div" && t !== "span" && t !== "button")) {
      throw new Error(`the chat text made elements: ${JSON.stringify(region.tags)}`);
    }
    await b.page.click('#chat .tabs button[data-tab="alliance"]');
    const allianceTab = await shownChat(b.page);
    if (!allianceTab.lines.some((l) => l.text === ALLIANCE_TEXT && l.tag === "[alliance]")) {
      throw new Error(`alliance chat not shown as sent: ${JSON.stringify(allianceTab)}`);
    }
    await b.page.screenshot({ path: join(ARTIFACTS, "browser-social-b.png") });

    // B replies privately: a click on A's name in the log, then the panel's form.
    await b.page.click(`#chat .log button.sender[data-user="${a.userId}"]`);
    const to = await b.page.evaluate(() => ({
      tab: document.querySelector("#chat .tabs .tab.active")?.dataset.tab,
      to: document.querySelector("#chat .send input.to")?.value,
    }));
    if (to.tab !== "private" || to.to !== String(a.userId)) throw new Error(`reply not set up: ${JSON.stringify(to)}`);
    await accepted(b.page, () => nextSeq(b.page, async () => {
      await b.page.fill("#chat .send input.text", PRIVATE_TEXT);
      await b.page.press("#chat .send input.text", "Enter");
    }, "private chat"), "B's private message");
    await got(a.page, { channel: PRIVATE, from: b.userId, to: a.userId, text: PRIVATE_TEXT });
    // The sender's own copy names the addressee.
    await got(b.page, { channel: PRIVATE, from: b.userId, to: a.userId, text: PRIVATE_TEXT });
    await a.page.click('#chat .tabs button[data-tab="private"]');
    const aPrivate = await shownChat(a.page);
    if (!aPrivate.lines.some((l) => l.text === PRIVATE_TEXT && l.sender === b.name)) {
      throw new Error(`private message not shown: ${JSON.stringify(aPrivate)}`);
    }
    await a.page.screenshot({ path: join(ARTIFACTS, "browser-social-a.png") });

    // A removes B with its kick button; B is out, and its alliance chat is refused.
    await accepted(a.page, () => nextSeq(a.page,
      () => a.page.click(`#alliance .member[data-empire="${b.empire}"] button.kick`), "kick"), "A kicks B");
    await waitFor(b.page, () => window.__starlane.social().alliance === null, null, "B out of the alliance");
    await waitFor(a.page, (e) => !window.__starlane.social().members.some((m) => m.empire === e), b.empire,
      "B gone from A's members");
    await allies(a.page, b.empire, false);
    await allies(b.page, a.empire, false);
    const seq = await b.page.evaluate(() => window.__starlane.sendChat("alliance", "still there?"));
    const refused = await answerOf(b.page, seq, "B's alliance chat after the kick");
    console.log(`B's alliance chat after the kick: ${JSON.stringify(refused)}`);
    if (refused.ok || refused.error !== NOT_IN_ALLIANCE) {
      throw new Error(`want NotInAlliance (${NOT_IN_ALLIANCE}), got ${JSON.stringify(refused)}`);
    }
    const notice = await b.page.evaluate(() => window.__starlane.notices().at(-1));
    console.log(`B's notice: ${notice}`);
    if (!/alliance chat: not in alliance/.test(notice ?? "")) throw new Error(`no rejection notice: ${notice}`);
    for (const p of [a, b]) if (p.dialogs.length > 0) throw new Error(`${p.name} opened dialogs: ${p.dialogs}`);
  } catch (e) {
    for (const p of [a, b]) {
      if (p) await p.page.screenshot({ path: join(ARTIFACTS, `browser-social-${p.name}-failed.png`) }).catch(() => {});
    }
    const logs = [a, b].filter(Boolean).map((p) => `${p.name}:\n${p.consoleLines.slice(-30).join("\n")}`).join("\n");
    throw new Error(`${e.message}\nbrowser consoles:\n${logs}`);
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
}
