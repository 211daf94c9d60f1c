// Browser production scenario (protocol/SPEC.md §19): the page finds its starting station,
// selects it with real clicks, and clicks the train-scout button of the economy panel. The
// region answers the Train, the page sees the job queued, started and completed, the credits
// fall by the recipe's cost, and a new own scout appears on the station's hex. Then two more
// scouts are queued and the second is cancelled with its panel button: the credits come back.
// A Cancel of a job that does not exist is rejected and shown as a notice. Last, a frigate
// is selected, its build button chosen and a hex next to it clicked: a shipyard site appears,
// drawn as under construction. Real production in the region, nothing scripted in the page.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, endScenario, launchBrowser, openPage, startServer, waitFor } from "./lib.mjs";

/** Entity kinds (SPEC.md §8, §19.1). */
const KIND = { scout: 0, frigate: 1, station: 2, shipyard: 4 };
/** Resource kinds. */
const CREDITS = 0;

/** Clicks hex (q, r) until own entity `id` is selected (a unit on the same hex is picked first). */
async function selectByClicks(page, id, q, r) {
  if ((await page.evaluate(() => window.__starlane.selected)) === id) return;
  for (let i = 0; i < 6; i++) {
    const at = await page.evaluate(({ q, r }) => window.__starlane.hexToScreen(q, r), { q, r });
    await page.mouse.click(at.x, at.y);
    const selected = await page.evaluate(() => window.__starlane.selected);
    if (selected === id) return;
  }
  throw new Error(`#${id} not selected by clicking ${q},${r}`);
}

/** Waits for the answer to command `seq` and returns whether it was accepted. */
async function answerOf(page, seq, what) {
  await waitFor(page, (s) => window.__starlane.answers().some((a) => a.seq === s), seq, `${what} answered`, 10_000);
  return page.evaluate((s) => window.__starlane.answers().find((a) => a.seq === s).ok, seq);
}

/** Waits for a job event of `building` in `state` (for `job`, or the first one after `from` events). */
async function jobEvent(page, arg, what, timeout = 10_000) {
  await waitFor(page, ({ building, state, job, from }) =>
    window.__starlane.jobEvents().slice(from).some((e) => e.building === building && e.state === state && (job === undefined || e.job === job)),
  arg, what, timeout);
  return page.evaluate(({ building, state, job, from }) =>
    window.__starlane.jobEvents().slice(from).find((e) => e.building === building && e.state === state && (job === undefined || e.job === job)),
  arg);
}

const credits = (page) => page.evaluate(() => window.__starlane.resources().credits);

export async function productionScenario(fail) {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-production-"));
  const server = startServer(dataDir);
  let browser;
  let page;
  let consoleLines = [];
  try {
    const ready = await server.ready;
    browser = await launchBrowser();
    ({ page, consoleLines } = await openPage(browser));
    await page.goto(`${ready.http}?user=e2e-production-${Date.now() % 100000}`);
    await waitFor(page, (station) => {
      const s = window.__starlane;
      return s.catalog().length > 0 && s.resources().credits > 0 && s.entities().some((e) => e.owner === s.empire && e.kind === station);
    }, KIND.station, "the catalog, the stock and an own station");
    const start = await page.evaluate(({ kind }) => {
      const s = window.__starlane;
      const station = s.entities().find((e) => e.owner === s.empire && e.kind === kind.station);
      const recipe = s.catalog().find((r) => r.producer === kind.station && r.output.type === "unit" && r.output.kind === kind.scout);
      const scouts = s.entities().filter((e) => e.owner === s.empire && e.kind === kind.scout).map((e) => e.id);
      return { station, recipe, scouts, stock: s.resources(), tickMs: s.tickMs };
    }, { kind: KIND });
    if (!start.recipe) throw new Error("the catalog has no station recipe for a scout");
    const cost = start.recipe.inputs.find((a) => a.kind === CREDITS)?.amount ?? 0;
    console.log(`station #${start.station.id} at ${start.station.q},${start.station.r}; recipe ${JSON.stringify(start.recipe)}; stock ${JSON.stringify(start.stock)}`);
    if (!(cost > 0)) throw new Error(`the scout recipe costs no credits: ${JSON.stringify(start.recipe)}`);
    const hud = await page.evaluate(() => document.querySelector('[data-field="credits"]')?.textContent);
    if (hud !== String(start.stock.credits)) throw new Error(`HUD credits ${hud}, stock ${start.stock.credits}`);

    // Select the station and click its train-scout button.
    const { station, recipe } = start;
    await selectByClicks(page, station.id, station.q, station.r);
    const button = `#panel[data-entity="${station.id}"] button[data-action="train"][data-recipe="${recipe.id}"]`;
    await page.waitForSelector(button, { state: "visible", timeout: 5_000 });
    const eventsBefore = await page.evaluate(() => window.__starlane.jobEvents().length);
    const seqBefore = await page.evaluate(() => window.__starlane.lastSentSeq);
    const t0 = Date.now();
    await page.click(button);
    await waitFor(page, (b) => window.__starlane.lastSentSeq > b, seqBefore, "train sent", 5_000);
    const trainSeq = await page.evaluate(() => window.__starlane.lastSentSeq);
    if (!(await answerOf(page, trainSeq, "train"))) {
      throw new Error(`train refused: ${JSON.stringify(await page.evaluate(() => window.__starlane.lastCommand))}`);
    }
    const queued = await jobEvent(page, { building: station.id, state: "queued", from: eventsBefore }, "job queued");
    if (queued.recipe !== recipe.id) throw new Error(`queued job of recipe ${queued.recipe}, not ${recipe.id}`);
    await jobEvent(page, { building: station.id, state: "started", job: queued.job, from: eventsBefore }, "job started");
    await waitFor(page, (want) => window.__starlane.resources().credits === want, start.stock.credits - cost,
      `credits down by ${cost}`, 5_000);
    await waitFor(page, () => parseFloat(document.querySelector("#panel .job.running .fill")?.style.width ?? "0") > 0, null,
      "progress bar moving", 5_000);
    const shown = await page.evaluate(() => ({
      queue: [...document.querySelectorAll("#panel .job .name")].map((e) => e.textContent),
      credits: document.querySelector('[data-field="credits"]')?.textContent,
    }));
    console.log(`job ${queued.job} running; panel queue ${JSON.stringify(shown.queue)}; HUD credits ${shown.credits}`);
    if (shown.credits !== String(start.stock.credits - cost)) throw new Error(`HUD credits not updated: ${shown.credits}`);
    await page.screenshot({ path: join(ARTIFACTS, "browser-production-running.png") });
    const recipeMs = recipe.ticks * start.tickMs;
    await jobEvent(page, { building: station.id, state: "completed", job: queued.job, from: eventsBefore }, "job completed",
      recipeMs + 15_000);
    await waitFor(page, ({ known, q, r, scout }) => {
      const s = window.__starlane;
      return s.entities().some((e) => e.owner === s.empire && e.kind === scout && !known.includes(e.id) && e.q === q && e.r === r);
    }, { known: start.scouts, q: station.q, r: station.r, scout: KIND.scout }, "a new scout on the station's hex", 10_000);
    console.log(`scout trained in ${Date.now() - t0} ms (recipe ${recipe.ticks} ticks)`);

    // Two more; cancel the queued second one with its button: refunded.
    await selectByClicks(page, station.id, station.q, station.r);
    await page.waitForSelector(button, { state: "visible", timeout: 5_000 });
    const before2 = await credits(page);
    const from2 = await page.evaluate(() => window.__starlane.jobEvents().length);
    await page.click(button);
    await page.click(button);
    // The first job's Started event may come a tick after the second's Queued: wait for both.
    await waitFor(page, ({ id }) => {
      const jobs = window.__starlane.jobs(id);
      return jobs.length === 2 && jobs.some((j) => j.running);
    }, { id: station.id }, "two jobs queued, one running", 5_000);
    await waitFor(page, (want) => window.__starlane.resources().credits === want, before2 - 2 * cost, "credits paid twice", 5_000);
    const jobs = await page.evaluate((id) => window.__starlane.jobs(id), station.id);
    const second = jobs.find((j) => !j.running);
    if (!jobs[0]?.running || !second) throw new Error(`expected one running and one queued job: ${JSON.stringify(jobs)}`);
    const cancelButton = `#panel button[data-action="cancel"][data-job="${second.job}"]`;
    await page.waitForSelector(cancelButton, { state: "visible", timeout: 5_000 });
    await page.click(cancelButton);
    await jobEvent(page, { building: station.id, state: "cancelled", job: second.job, from: from2 }, "job cancelled");
    await waitFor(page, (want) => window.__starlane.resources().credits === want, before2 - cost, "the refund", 5_000);
    const left = await page.evaluate((id) => window.__starlane.jobs(id).map((j) => j.job), station.id);
    console.log(`cancelled job ${second.job}: credits ${before2 - 2 * cost} -> ${before2 - cost}; queue ${JSON.stringify(left)}`);
    if (left.includes(second.job)) throw new Error(`cancelled job still queued: ${JSON.stringify(left)}`);

    // A rejection is shown as a notice.
    const bad = await page.evaluate((id) => window.__starlane.sendCancel(id, 999_999), station.id);
    if (await answerOf(page, bad, "cancel of an unknown job")) throw new Error("cancel of an unknown job accepted");
    const notice = await page.evaluate(() => window.__starlane.notices().at(-1));
    console.log(`rejection notice: ${notice}`);
    if (!/rejected: .*unknown job/.test(notice ?? "")) throw new Error(`no rejection notice: ${notice}`);

    await buildShipyard(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, "browser-production.png") });
  } catch (e) {
    if (page) await page.screenshot({ path: join(ARTIFACTS, "browser-production-failed.png") }).catch(() => {});
    throw new Error(`${e.message}\nbrowser console:\n${consoleLines.slice(-40).join("\n")}`);
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
}

/** Selects a frigate, chooses its shipyard build button and clicks free hexes next to it until
 * the region accepts one; the site must appear as an own shipyard under construction. */
async function buildShipyard(page) {
  const frigate = await page.evaluate((kind) => {
    const s = window.__starlane;
    return s.entities().find((e) => e.owner === s.empire && e.kind === kind) ?? null;
  }, KIND.frigate);
  if (!frigate) throw new Error("no own frigate");
  await selectByClicks(page, frigate.id, frigate.q, frigate.r);
  const build = `#panel[data-entity="${frigate.id}"] button[data-action="build"][data-kind="${KIND.shipyard}"]`;
  await page.waitForSelector(build, { state: "visible", timeout: 5_000 });
  // Escape drops a chosen build (the frigate stays selected).
  await page.click(build);
  await waitFor(page, () => window.__starlane.pendingBuild !== null, null, "build chosen", 5_000);
  await page.keyboard.press("Escape");
  await waitFor(page, (id) => window.__starlane.pendingBuild === null && window.__starlane.selected === id, frigate.id,
    "the build dropped by Escape", 5_000);
  const steps = [[1, 0], [1, -1], [0, -1], [-1, 0], [-1, 1], [0, 1]];
  for (const [dq, dr] of steps) {
    const to = { q: frigate.q + dq, r: frigate.r + dr };
    const free = await page.evaluate(({ q, r }) => {
      const s = window.__starlane;
      return s.visibility(q, r) === 2 && !s.isBlocked(q, r) && !s.entities().some((e) => e.q === q && e.r === r);
    }, to);
    if (!free) continue;
    await page.click(build);
    await waitFor(page, () => window.__starlane.pendingBuild !== null, null, "build chosen", 5_000);
    const seqBefore = await page.evaluate(() => window.__starlane.lastSentSeq);
    const at = await page.evaluate(({ q, r }) => window.__starlane.hexToScreen(q, r), to);
    await page.mouse.click(at.x, at.y);
    await waitFor(page, (b) => window.__starlane.lastSentSeq > b, seqBefore, "build sent", 5_000);
    const seq = await page.evaluate(() => window.__starlane.lastSentSeq);
    const ok = await answerOf(page, seq, "build");
    console.log(`build shipyard at ${to.q},${to.r}: ${ok ? "accepted" : JSON.stringify(await page.evaluate(() => window.__starlane.lastCommand))}`);
    if (!ok) continue;
    await waitFor(page, ({ q, r, kind }) => {
      const s = window.__starlane;
      const site = s.entities().find((e) => e.owner === s.empire && e.kind === kind && e.q === q && e.r === r);
      return site !== undefined && s.underConstruction(site.id);
    }, { ...to, kind: KIND.shipyard }, "a shipyard site under construction", 10_000);
    return;
  }
  throw new Error("no shipyard site accepted next to the frigate");
}
