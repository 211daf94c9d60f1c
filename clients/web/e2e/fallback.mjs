// The WebSocket fallback scenario: the page plays with WebTransport unreachable.
//
// It runs in a network namespace of its own (`unshare --net`: only a loopback, which it brings
// up), where, once the all-in-one server is up, iptables drops every UDP datagram to the edge's
// WebTransport port, as a network that blocks UDP would. The page is the production page,
// opened with no flag: WebTransport does not open, and the page falls back by itself to the
// edge's WebSocket within 3 s, shows it in the overlay, and plays: a unit it moves arrives,
// entity packets come on the datagram channel and are acknowledged, and its own pings give a
// round-trip time. The edge's metrics count the session's bytes under transport="websocket".
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ARTIFACTS, endScenario, launchBrowser, moveAndArrive, openPage, startServer, waitFor } from "./lib.mjs";

/** The longest a player may wait for the fallback, from the page's start. */
const FALLBACK_WITHIN_MS = 3_000;

/** Runs this file again inside a new network namespace; fails when it does. */
export async function fallbackScenario(fail) {
  const child = spawn("unshare", ["--net", "--", process.execPath, fileURLToPath(import.meta.url)], {
    stdio: ["ignore", "inherit", "inherit"],
    env: process.env,
  });
  const code = await new Promise((resolve) => {
    child.on("exit", (c, signal) => resolve(c ?? signal));
    child.on("error", (e) => resolve(`cannot start unshare: ${e.message}`));
  });
  if (code !== 0) fail(`fallback: the scenario in its network namespace failed (${code})`);
}

/** The scenario itself, inside the namespace. */
async function inNamespace() {
  execFileSync("ip", ["link", "set", "lo", "up"]);
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-fallback-"));
  const server = startServer(dataDir);
  let failed = false;
  const fail = (msg) => {
    console.error(`browser e2e FAILED: ${msg}`);
    failed = true;
  };
  let browser;
  try {
    const ready = await server.ready;
    console.log(`server ready: ${JSON.stringify(ready)}`);
    if (!ready.websocket) throw new Error("the server offers no websocket");
    const wtPort = ready.webtransport.split(":").pop();
    execFileSync("iptables", ["-A", "INPUT", "-p", "udp", "--dport", wtPort, "-j", "DROP"]);
    console.log(`udp to the webtransport port ${wtPort} is dropped`);
    browser = await launchBrowser();
    const { page, consoleLines } = await openPage(browser);
    await page.goto(`${ready.http}?user=fallback-${Date.now() % 100000}`);
    try {
      await waitFor(page, () => window.__starlane.transport === "websocket", null, "the websocket fallback", 10_000);
      const at = await page.evaluate(() => performance.now());
      console.log(`on the websocket ${at.toFixed(0)} ms after the page started`);
      if (at > FALLBACK_WITHIN_MS) throw new Error(`fell back after ${at.toFixed(0)} ms, over ${FALLBACK_WITHIN_MS}`);
      await waitFor(page, () => document.body.dataset.state === "connected", null, "connected state");
      await waitFor(page, () => window.__starlane.myUnits().length > 0, null, "own units");
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, "browser-fallback-failed.png") });
      throw new Error(`${e.message}\nbrowser console:\n${consoleLines.join("\n")}`);
    }
    const shown = await page.evaluate(() => document.querySelector('[data-field="transport"]')?.textContent ?? null);
    if (shown !== "websocket (fallback)") throw new Error(`the overlay shows transport ${JSON.stringify(shown)}`);
    const units = await page.evaluate(() => window.__starlane.myUnits());
    await moveAndArrive(page, units[0]);
    await page.screenshot({ path: join(ARTIFACTS, "browser-fallback.png") });
    const delta = await page.evaluate(() => window.__starlane.delta());
    console.log(`delta sync: ${JSON.stringify(delta)}`);
    if (!(delta.packets > 0)) throw new Error(`no entity packets applied: ${JSON.stringify(delta)}`);
    if (!(delta.acks > 0)) throw new Error(`no acks sent: ${JSON.stringify(delta)}`);
    await waitFor(page, () => (window.__starlane.rttMs ?? -1) >= 0, null, "a round-trip time", 10_000);
    if ((await page.evaluate(() => window.__starlane.transport)) !== "websocket") {
      throw new Error("the session left the websocket");
    }
    // The edge reports a session's link counters once a second.
    let sent = null;
    for (let i = 0; i < 50 && !(Number(sent?.split(" ").pop()) > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const metrics = await (await fetch(`http://${ready.edge_http}/metrics`)).text();
      sent = metrics.split("\n").find((l) => /^starlane_edge_link_bytes_out_total\{.*transport="websocket"/.test(l)) ?? null;
    }
    console.log(`edge metrics: ${sent ?? "(none)"}`);
    if (!(Number(sent?.split(" ").pop()) > 0)) throw new Error("the edge counted no websocket bytes out");
  } catch (e) {
    fail(`fallback: ${e.stack ?? String(e)}`);
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  inNamespace().catch((e) => {
    console.error(e.stack ?? String(e));
    process.exitCode = 1;
  });
}
