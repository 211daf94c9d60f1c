// Browser end-to-end test: the all-in-one server, headless Chromium over WebTransport.
//
// Starts `starlane-local run` on free loopback ports in a temporary data directory, opens the
// page in Debian's Chromium (driven by playwright-core), waits until the client is connected and
// draws its own units, clicks a unit and then a hex, waits until the unit arrives there, saves
// screenshots into $ARTIFACTS, checks the delta-sync counters and the link statistics
// (WebTransport.getStats(): RTT, bytes and packets each way) the page reports, and stops the
// server with SIGINT (it must exit cleanly). Then the fallback scenario (fallback.mjs): the same
// page plays with UDP to the edge's WebTransport port dropped, in a network namespace the test
// makes, and falls back to the edge's WebSocket by itself within 3 s. Then the drain scenario (drain.mjs): the page plays
// on a second edge, that edge drains, and the page moves to the first edge by itself. Then the
// battle scenario (battle.mjs): the page attacks the pirates and sees the fight. Then the
// production scenario (production.mjs): the page trains a scout at its station from the
// economy panel, cancels a queued one for a refund, and places a shipyard with a frigate. Then
// the social scenario (social.mjs): two players found an alliance, chat on every channel with
// markup in the text, and one is removed from the alliance. Then the friends scenario
// (friends.mjs): two players become friends by user id from their friends panels and see each
// other in game, one mails the other a text holding markup and a line break, which shows as sent
// and is deleted, and the friendship is ended.
//
//   STARLANE_BIN=target/debug/starlane-local ARTIFACTS=artifacts node e2e/run.mjs [scenario...]
//
// With scenario names (play, fallback, drain, battle, production, social, friends) only those run;
// without, all.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, endScenario, launchBrowser, moveAndArrive, openPage, startServer, waitFor } from "./lib.mjs";
import { battleScenario } from "./battle.mjs";
import { drainScenario } from "./drain.mjs";
import { fallbackScenario } from "./fallback.mjs";
import { friendsScenario } from "./friends.mjs";
import { productionScenario } from "./production.mjs";
import { socialScenario } from "./social.mjs";

/** Whether the scenario under way failed. */
let scenarioFailed = false;
/** The first line of each failure, repeated after the summary: CI shows a log's tail. */
const failures = [];

function fail(msg) {
  console.error(`browser e2e FAILED: ${msg}`);
  failures.push(String(msg).split("\n")[0].slice(0, 400));
  scenarioFailed = true;
  process.exitCode = 1;
}

async function play() {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-"));
  const server = startServer(dataDir);
  let browser;
  try {
    const ready = await server.ready;
    console.log(`server ready: ${JSON.stringify(ready)}`);
    browser = await launchBrowser();
    const { page, consoleLines } = await openPage(browser);
    const user = `e2e-${Date.now() % 100000}`;
    await page.goto(`${ready.http}?user=${user}`);
    try {
      await waitFor(page, () => document.body.dataset.state === "connected", null, "connected state");
      await waitFor(page, () => window.__starlane.myUnits().length > 0, null, "own units");
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, "browser-e2e-failed.png") });
      throw new Error(`${e.message}\nbrowser console:\n${consoleLines.join("\n")}`);
    }
    const units = await page.evaluate(() => window.__starlane.myUnits());
    console.log(`own units: ${JSON.stringify(units)}`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(ARTIFACTS, "browser-connected.png") });

    await moveAndArrive(page, units[0]);
    await page.waitForTimeout(400);
    const overlay = await page.evaluate(() => ({ rtt: window.__starlane.rttMs, rx: window.__starlane.rxKbps }));
    console.log(`arrived; overlay rtt=${overlay.rtt} ms rx=${overlay.rx} kB/s`);
    await page.screenshot({ path: join(ARTIFACTS, "browser-e2e.png") });
    if (typeof overlay.rtt !== "number" || overlay.rtt < 0) throw new Error(`no round-trip time measured: ${overlay.rtt}`);
    if (!(overlay.rx > 0)) throw new Error(`no received bytes counted: ${overlay.rx}`);
    // The world came in delta-sync datagrams (EntityPackets), acknowledged by the page.
    const delta = await page.evaluate(() => window.__starlane.delta());
    console.log(`delta sync: ${JSON.stringify(delta)}`);
    if (!(delta.packets > 0)) throw new Error(`no entity packets applied: ${JSON.stringify(delta)}`);
    if (!(delta.acks > 0)) throw new Error(`no acks sent: ${JSON.stringify(delta)}`);
    // Link statistics come from Chromium's WebTransport.getStats() and reach the overlay. They
    // are sampled once a second: wait for a sample taken after the play (it has a rate).
    await waitFor(page, () => {
      const l = window.__starlane.linkStats();
      return l !== null && l.srttMs > 0 && l.packetsIn > 0 && l.inKBps !== null;
    }, null, "link statistics", 10_000);
    const link = await page.evaluate(() => window.__starlane.linkStats());
    const shown = await page.evaluate(() =>
      ["rtt", "loss", "rx", "tx"].map((f) => document.querySelector(`[data-field="${f}"]`)?.textContent ?? null));
    console.log(`link stats: ${JSON.stringify(link)}; overlay: ${JSON.stringify(shown)}`);
    if (!link) throw new Error("no link statistics sampled");
    // Chromium's getStats() gives RTTs and datagram counts but no byte or packet counts: those
    // are the page's own.
    if (link.rttSource !== "transport") {
      throw new Error(`RTT not taken from WebTransport.getStats(): ${JSON.stringify(link)}`);
    }
    if (!(link.srttMs > 0)) throw new Error(`no smoothed RTT: ${JSON.stringify(link)}`);
    if (!(link.bytesIn > 0 && link.packetsIn > 0)) throw new Error(`nothing received: ${JSON.stringify(link)}`);
    if (!(link.bytesOut > 0 && link.packetsOut > 0)) throw new Error(`nothing sent: ${JSON.stringify(link)}`);
    if (!/ms$/.test(shown[0] ?? "") || !/ B|kB|MB/.test(shown[2] ?? "")) {
      throw new Error(`overlay does not show the link statistics: ${JSON.stringify(shown)}`);
    }
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
}

async function main() {
  const all = [["play", play], ["fallback", fallbackScenario], ["drain", drainScenario], ["battle", battleScenario], ["production", productionScenario],
    ["social", socialScenario], ["friends", friendsScenario]];
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !all.some(([name]) => name === w));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${all.map(([n]) => n).join(", ")}`);
  const scenarios = wanted.length === 0 ? all : all.filter(([name]) => wanted.includes(name));
  let passed = 0;
  for (const [name, run] of scenarios) {
    console.log(`\n== browser e2e: ${name}`);
    scenarioFailed = false;
    const t0 = Date.now();
    try {
      await run(fail);
    } catch (e) {
      fail(`${name}: ${e.stack ?? String(e)}`);
    }
    if (!scenarioFailed) passed++;
    console.log(`== ${name}: ${scenarioFailed ? "FAILED" : "passed"} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`browser e2e: ${passed} passed, ${scenarios.length - passed} failed`);
  for (const f of failures) console.log(`  failed: ${f}`);
}

main().catch((e) => fail(e.stack ?? String(e)));
