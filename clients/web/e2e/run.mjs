// Browser end-to-end test: the all-in-one server, headless Chromium over WebTransport.
//
// Starts `starlane-local run` on free loopback ports in a temporary data directory, opens the
// page in Debian's Chromium (driven by playwright-core), waits until the client is connected and
// draws its own units, clicks a unit and then a hex, waits until the unit arrives there, saves
// screenshots into $ARTIFACTS, checks the delta-sync counters and the link statistics
// (WebTransport.getStats(): RTT, bytes and packets each way) the page reports, and stops the
// server with SIGINT (it must exit cleanly).
//
//   STARLANE_BIN=target/debug/starlane-local ARTIFACTS=artifacts node e2e/run.mjs
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.STARLANE_BIN ?? resolve("../../target/debug/starlane-local");
const ARTIFACTS = resolve(process.env.ARTIFACTS ?? "../../artifacts");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(ARTIFACTS, { recursive: true });

function fail(msg) {
  console.error(`browser e2e FAILED: ${msg}`);
  console.log("browser e2e: 0 passed, 1 failed");
  process.exitCode = 1;
}

function startServer(dataDir) {
  const child = spawn(BIN, ["run", "--data-dir", dataDir, "--ephemeral-ports", "--web-dir", resolve("dist")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "info" },
  });
  let log = "";
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready in 60 s:\n${log}`)), 60_000);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = log.match(/^STARLANE_READY (\{.*\})$/m);
      if (m) {
        clearTimeout(timer);
        resolveReady(JSON.parse(m[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c) => { log += c.toString(); });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${log}`)); });
  });
  return { child, ready, log: () => log };
}

async function stopServer(child) {
  if (child.exitCode !== null) return "already exited";
  const exited = new Promise((r) => child.on("exit", (code, signal) => r(code ?? signal)));
  child.kill("SIGINT");
  const timeout = new Promise((r) => setTimeout(() => r("timeout"), 15_000));
  const result = await Promise.race([exited, timeout]);
  if (result === "timeout") child.kill("SIGKILL");
  return result;
}

async function waitFor(page, fn, arg, what, timeout = 30_000) {
  try {
    return await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}: ${e.message}`);
  }
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-"));
  const server = startServer(dataDir);
  let browser;
  try {
    const ready = await server.ready;
    console.log(`server ready: ${JSON.stringify(ready)}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        // WebTransport.getStats() is behind this Blink feature in Chromium (156 at the time of
        // writing); with it the page takes the RTT from QUIC, without it from its own pings.
        "--enable-blink-features=WebTransportStats",
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleLines = [];
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
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

    // Try a few targets near the first unit until the server accepts one.
    const unit = units[0];
    const offsets = [[2, 0], [0, 2], [-2, 0], [0, -2], [2, -1], [-1, 2], [1, 1], [-1, -1]];
    let target = null;
    for (const [dq, dr] of offsets) {
      const to = { q: unit.q + dq, r: unit.r + dr };
      const usable = await page.evaluate(({ q, r }) => {
        const s = window.__starlane;
        // A visible hex is on the map; skip asteroids and occupied hexes (a click there selects).
        return s.visibility(q, r) === 2 && !s.isBlocked(q, r) && !s.entities().some((e) => e.q === q && e.r === r);
      }, to);
      if (!usable) continue;
      const from = await page.evaluate(({ id }) => {
        const u = window.__starlane.myUnits().find((x) => x.id === id);
        return u ? window.__starlane.hexToScreen(u.q, u.r) : null;
      }, { id: unit.id });
      if (!from) throw new Error("own unit vanished");
      const before = await page.evaluate(() => window.__starlane.lastCommand?.seq ?? 0);
      await page.mouse.click(from.x, from.y);
      const dest = await page.evaluate(({ q, r }) => window.__starlane.hexToScreen(q, r), to);
      await page.mouse.click(dest.x, dest.y);
      await waitFor(page, (b) => (window.__starlane.lastCommand?.seq ?? 0) > b, before, "command answer", 10_000);
      const last = await page.evaluate(() => window.__starlane.lastCommand);
      console.log(`move #${unit.id} to ${to.q},${to.r}: ${JSON.stringify(last)}`);
      if (last.ok) { target = to; break; }
    }
    if (!target) throw new Error("every move was rejected");
    await waitFor(page, ({ id, q, r }) => window.__starlane.myUnits().some((u) => u.id === id && u.q === q && u.r === r),
      { id: unit.id, ...target }, "unit arrival", 30_000);
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
    if (browser) await browser.close();
    const code = await stopServer(server.child);
    if (code !== 0 && code !== "already exited") {
      fail(`server did not exit cleanly on SIGINT (${code}):\n${server.log().slice(-4000)}`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (!process.exitCode) console.log("browser e2e: 1 passed, 0 failed");
}

main().catch((e) => fail(e.stack ?? String(e)));
