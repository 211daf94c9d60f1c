// Shared helpers of the browser end-to-end scenarios: the all-in-one server, Chromium, waits.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

export const BIN = process.env.STARLANE_BIN ?? resolve("../../target/debug/starlane-local");
export const ARTIFACTS = resolve(process.env.ARTIFACTS ?? "../../artifacts");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
mkdirSync(ARTIFACTS, { recursive: true });

/** Starts `starlane-local run` on free loopback ports with `extraArgs`; `ready` resolves to
 * its STARLANE_READY object. */
export function startServer(dataDir, extraArgs = []) {
  const args = ["run", "--data-dir", dataDir, "--ephemeral-ports", "--web-dir", resolve("dist"), ...extraArgs];
  const child = spawn(BIN, args, {
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
    child.on("error", (e) => { clearTimeout(timer); reject(new Error(`cannot start ${BIN}: ${e.message}`)); });
  });
  return { child, ready, log: () => log };
}

/** Stops the server with SIGINT: its exit code, "already exited", or "timeout" (then killed). */
export async function stopServer(child) {
  if (child.exitCode !== null) return "already exited";
  const exited = new Promise((r) => child.on("exit", (code, signal) => r(code ?? signal)));
  child.kill("SIGINT");
  const timeout = new Promise((r) => setTimeout(() => r("timeout"), 15_000));
  const result = await Promise.race([exited, timeout]);
  if (result === "timeout") child.kill("SIGKILL");
  return result;
}

/** Ends a scenario: closes the browser (if any), stops the server with SIGINT (reporting
 * through `fail` unless it exits 0) and removes its data directory. */
export async function endScenario(browser, server, dataDir, fail) {
  if (browser) await browser.close();
  const code = await stopServer(server.child);
  if (code !== 0 && code !== "already exited") {
    fail(`server did not exit cleanly on SIGINT (${code}):\n${server.log().slice(-4000)}`);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

export async function waitFor(page, fn, arg, what, timeout = 30_000) {
  try {
    return await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`timed out waiting for ${what}: ${e.message}`);
  }
}

/** Headless Debian Chromium. */
export async function launchBrowser() {
  return chromium.launch({
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
}

/** A page that records its console. */
export async function openPage(browser) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleLines = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  return { page, consoleLines };
}

// ---- two-player scenarios (social.mjs, friends.mjs) -------------------------------------

/** Waits for the answer to command `seq` of `page`'s player: `{seq, ok, error?}`. */
export async function answerOf(page, seq, what) {
  if (!(seq > 0)) throw new Error(`${what}: not sent`);
  await waitFor(page, (s) => window.__starlane.answers().some((a) => a.seq === s), seq, `the answer to ${what}`, 10_000);
  return page.evaluate((s) => window.__starlane.answers().find((a) => a.seq === s), seq);
}

/** Waits until `page` answers `seq` (sent by `send`, which resolves to it) with acceptance. */
export async function accepted(page, send, what) {
  const seq = await send();
  const answer = await answerOf(page, seq, what);
  console.log(`${what}: ${JSON.stringify(answer)}`);
  if (!answer.ok) throw new Error(`${what} refused: error ${answer.error}`);
}

/** The seq of the next command `page` sends once `act` has run. */
export async function nextSeq(page, act, what) {
  const before = await page.evaluate(() => window.__starlane.lastSentSeq);
  await act();
  await waitFor(page, (b) => window.__starlane.lastSentSeq > b, before, `${what} sent`, 5_000);
  return page.evaluate(() => window.__starlane.lastSentSeq);
}

/** A player: its page, console, dialogs, and who it is. */
export async function player(browser, url, name) {
  const { page, consoleLines } = await openPage(browser);
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${url}?user=${name}`);
  await waitFor(page, () => document.body.dataset.state === "connected" && window.__starlane.userId !== null,
    null, `${name} connected`);
  const who = await page.evaluate(() => ({ empire: window.__starlane.empire, userId: window.__starlane.userId }));
  console.log(`${name}: ${JSON.stringify(who)}`);
  return { page, consoleLines, dialogs, name, ...who };
}

/** Orders `unit` (one of `myUnits()`) to a free hex two steps away, trying a few until the
 * server accepts one, and waits until it arrives there; returns the target. */
export async function moveAndArrive(page, unit) {
  // Try a few targets near the first unit until the server accepts one.
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
  return target;
}
