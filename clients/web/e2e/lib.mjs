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
