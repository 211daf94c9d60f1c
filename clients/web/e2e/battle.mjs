// Browser battle scenario (protocol/SPEC.md §18): the page sends its units to the pirates' den
// at the map's centre, and once a pirate is in sight, a click on one of its own frigates and a
// click on the pirate order an attack. The region answers the order, the units fight (the
// pirates fire back), health bars fall, and the empire's combat reports reach the page. Real
// combat in the region, no scripted health changes.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, endScenario, launchBrowser, openPage, startServer, waitFor } from "./lib.mjs";

/** Entity kinds (SPEC.md §8). */
const FRIGATE = 1;
/** The neutral empire (pirates). */
const NEUTRAL = 0;

export async function battleScenario(fail) {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-battle-"));
  const server = startServer(dataDir);
  let browser;
  let page;
  let consoleLines = [];
  try {
    const ready = await server.ready;
    browser = await launchBrowser();
    ({ page, consoleLines } = await openPage(browser));
    await page.goto(`${ready.http}?user=e2e-battle-${Date.now() % 100000}`);
    await waitFor(page, () => window.__starlane.myUnits().length > 0 && window.__starlane.mapInfo() !== null,
      null, "own units and the map");

    // Every own unit to a free hex next to the den, on the side it comes from.
    const sent = await page.evaluate(() => {
      const s = window.__starlane;
      const den = s.mapInfo().chunks[0];
      const seqs = [];
      for (const u of s.myUnits()) {
        const dq = Math.sign(u.q - den.q) * 4;
        const dr = Math.sign(u.r - den.r) * 4;
        const tries = [[dq, dr], [dq, 0], [0, dr], [dq + 1, dr], [dq, dr + 1], [dq - 1, dr + 1]];
        const to = tries.map(([a, b]) => ({ q: den.q + a, r: den.r + b })).find((h) => !s.isBlocked(h.q, h.r));
        if (to) seqs.push(s.sendMove(u.id, to.q, to.r));
      }
      return seqs;
    });
    console.log(`moves sent: ${JSON.stringify(sent)}`);
    if (sent.length === 0 || sent.some((seq) => seq === 0)) throw new Error(`moves not sent: ${JSON.stringify(sent)}`);
    await waitFor(page, (neutral) => window.__starlane.entities().some((e) => e.owner === neutral && e.kind <= 1),
      NEUTRAL, "a pirate in sight", 40_000);

    // Select an own frigate and click the nearest pirate. A pirate can leave sight between
    // the pick and the click, or the region can refuse the order for one that just did: then
    // the page picks again (a few times), as a player would.
    let pick = null;
    for (let attempt = 1; attempt <= 3 && !pick; attempt++) {
      pick = await attackNearestPirate(page);
      if (!pick.ok) {
        console.log(`attack attempt ${attempt}: ${pick.why}`);
        if (attempt === 3) throw new Error(pick.why);
        pick = null;
        await page.waitForTimeout(500);
      }
    }

    // The fight: reports arrive and the pirate is hurt or destroyed.
    await waitFor(page, ({ id, health }) => {
      const s = window.__starlane;
      const p = s.entities().find((e) => e.id === id);
      return s.combat().reports > 0 && s.combat().dealt > 0 && (!p || p.health < health);
    }, { id: pick.pirate.id, health: pick.pirate.health }, "combat reports and a hurt pirate", 40_000);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, "browser-battle.png") });
    const combat = await page.evaluate(() => window.__starlane.combat());
    const notices = await page.evaluate(() => window.__starlane.notices().filter((n) => n.startsWith("combat")));
    console.log(`combat: ${JSON.stringify(combat)}; last notice: ${notices.at(-1)}`);
    if (notices.length === 0) throw new Error("no combat notice shown");
  } catch (e) {
    if (page) await page.screenshot({ path: join(ARTIFACTS, "browser-battle-failed.png") }).catch(() => {});
    throw new Error(`${e.message}\nbrowser console:\n${consoleLines.slice(-40).join("\n")}`);
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
}

/** Picks the own frigate and pirate nearest each other, clicks the frigate, then the pirate
 * where it is drawn now, and waits for the region's answer: `{ok: true, unit, pirate}`, or
 * `{ok: false, why}`. */
async function attackNearestPirate(page) {
  const pick = await page.evaluate(({ frigate, neutral }) => {
    const s = window.__starlane;
    const all = s.entities();
    const own = all.filter((e) => e.owner === s.empire && e.kind === frigate);
    const pirates = all.filter((e) => e.owner === neutral && e.kind <= 1); // ships, not fields
    if (own.length === 0 || pirates.length === 0) return null;
    const d = (a, b) => Math.max(Math.abs(a.q - b.q), Math.abs(a.r - b.r), Math.abs(a.q - b.q + a.r - b.r));
    let best = null;
    for (const f of own) for (const p of pirates) if (!best || d(f, p) < best.dist) best = { f, p, dist: d(f, p) };
    return { unit: best.f.id, unitAt: s.hexToScreen(best.f.q, best.f.r), pirate: best.p };
  }, { frigate: FRIGATE, neutral: NEUTRAL });
  if (!pick) return { ok: false, why: "no own frigate or no pirate to pick" };
  console.log(`attack: frigate #${pick.unit} on pirate ${JSON.stringify(pick.pirate)}`);
  const before = await page.evaluate(() => window.__starlane.lastSentSeq);
  await page.mouse.click(pick.unitAt.x, pick.unitAt.y);
  // Own ships may share a hex (the moves above can bring two together): the click selects
  // one of the own frigates drawn there, not necessarily the one picked.
  await waitFor(page, ({ frigate }) => {
    const s = window.__starlane;
    const sel = s.entities().find((e) => e.id === s.selected);
    return sel !== undefined && sel.owner === s.empire && sel.kind === frigate;
  }, { frigate: FRIGATE }, "an own frigate selected", 5_000);
  const selected = await page.evaluate(() => window.__starlane.selected);
  if (selected !== pick.unit) console.log(`selected frigate #${selected} (sharing the clicked hex with #${pick.unit})`);
  // The pirate may have moved a hex since: click where it is drawn now.
  const at = await page.evaluate((id) => {
    const p = window.__starlane.entities().find((e) => e.id === id);
    return p ? window.__starlane.hexToScreen(p.q, p.r) : null;
  }, pick.pirate.id);
  if (!at) return { ok: false, why: "the pirate left sight before the click" };
  await page.mouse.click(at.x, at.y);
  await waitFor(page, (b) => window.__starlane.lastSentSeq > b, before, "attack sent", 5_000);
  await waitFor(page, (b) => (window.__starlane.lastCommand?.seq ?? 0) > b, before, "attack answered", 10_000);
  const answer = await page.evaluate(() => window.__starlane.lastCommand);
  console.log(`attack answered: ${JSON.stringify(answer)}`);
  if (!answer.ok) return { ok: false, why: `attack refused: ${answer.error}` };
  return { ok: true, unit: pick.unit, pirate: pick.pirate };
}
