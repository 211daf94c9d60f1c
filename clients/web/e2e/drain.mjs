// Browser drain scenario (protocol/SPEC.md §17): `starlane-local run --dev-second-edge` starts
// a second edge `b`, which `/api/connect-info` hands out. The page plays on `b` and sends
// commands; `b` is drained through its admin listener; the page is told to move, asks the
// connect endpoint (`/api/connect`, which answers edge `a`), resumes there with its token and
// ticket (no new login: one dev token for the whole run), sends its unanswered commands again,
// and plays on. Every command is answered once in the page, and the region applied exactly as
// many commands as the page saw accepted (STARLANE_STATS, printed when the server stops).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, endScenario, launchBrowser, openPage, startServer, waitFor } from "./lib.mjs";

const ADMIN_TOKEN = `e2e-admin-${process.pid}`;

/** How many sessions edge `http` (host:port of its HTTP listener) holds. */
async function sessionsOn(http) {
  const res = await fetch(`http://${http}/debug/sessions`);
  if (!res.ok) throw new Error(`${http}/debug/sessions: http ${res.status}`);
  return (await res.json()).sessions.length;
}

/** Waits until edge `http` holds `n` sessions. */
async function waitSessions(http, n, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const have = await sessionsOn(http);
    if (have === n) return;
    if (Date.now() > deadline) throw new Error(`${what}: ${have} sessions, want ${n}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function drainScenario(fail) {
  const dataDir = mkdtempSync(join(tmpdir(), "starlane-e2e-drain-"));
  // No AI empires: the region's count of applied commands must be the page's alone.
  const server = startServer(dataDir, ["--dev-second-edge", ADMIN_TOKEN, "--ai-empires", "0"]);
  let browser;
  let page;
  let consoleLines = [];
  let accepted = null;
  try {
    const ready = await server.ready;
    console.log(`server ready: ${JSON.stringify(ready)}`);
    if (!ready.second_edge_http || !ready.second_edge_admin) throw new Error("no second edge announced");
    browser = await launchBrowser();
    ({ page, consoleLines } = await openPage(browser));
    const requests = [];
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    const user = `e2e-drain-${Date.now() % 100000}`;
    await page.goto(`${ready.http}?user=${user}`);
    await waitFor(page, () => document.body.dataset.state === "connected", null, "connected state");
    await waitFor(page, () => window.__starlane.myUnits().length > 0, null, "own units");
    await waitFor(page, () => window.__starlane.resume().ticket, null, "a resume ticket");
    const empire = await page.evaluate(() => window.__starlane.empire);
    // The page plays on edge b.
    await waitSessions(ready.second_edge_http, 1, "edge b before the drain");
    await waitSessions(ready.edge_http, 0, "edge a before the drain");

    // Commands: a few answered before the drain, then a stream that races it (a move of a
    // unit to the hex it stands on is accepted without a path).
    const unit = (await page.evaluate(() => window.__starlane.myUnits()))[0];
    const early = await page.evaluate(({ id, q, r }) => [1, 2, 3].map(() => window.__starlane.sendMove(id, q, r)), unit);
    if (early.some((s) => s === 0)) throw new Error(`commands not sent: ${early}`);
    await waitFor(page, (n) => window.__starlane.answers().length >= n, early.length, "early answers", 10_000);
    await page.evaluate(({ id, q, r }) => {
      // Until the move begins (at most 40 commands, one every 15 ms).
      window.__racing = [];
      const timer = setInterval(() => {
        const s = window.__starlane;
        if (s.state !== "connected" || s.resume().moves > 0 || window.__racing.length >= 40) return clearInterval(timer);
        const seq = s.sendMove(id, q, r);
        if (seq !== 0) window.__racing.push(seq);
      }, 15);
    }, unit);
    await page.waitForTimeout(100);
    const drain = await fetch(`http://${ready.second_edge_admin}/admin/drain`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    console.log(`POST /admin/drain on edge b: http ${drain.status}`);
    if (drain.status !== 202 && drain.status !== 200) throw new Error(`drain refused: http ${drain.status}`);

    // Moved to edge a, same empire, playing, without a new login.
    await waitFor(page, () => window.__starlane.resume().moves >= 1 && window.__starlane.state === "connected",
      null, "the move to the other edge", 30_000);
    await waitFor(page, () => window.__starlane.myUnits().length > 0, null, "own units after the move");
    await waitSessions(ready.edge_http, 1, "edge a after the move");
    await waitSessions(ready.second_edge_http, 0, "edge b after the move");
    const after = await page.evaluate(() => ({
      empire: window.__starlane.empire,
      resume: window.__starlane.resume(),
      notices: window.__starlane.notices(),
      shown: document.querySelector('[data-field="notice"]')?.textContent ?? null,
    }));
    console.log(`after the move: ${JSON.stringify(after)}`);
    if (after.empire !== empire) throw new Error(`empire changed: ${empire} -> ${after.empire}`);
    if (after.resume.ticketRefusals !== 0) throw new Error(`the ticket was refused: ${JSON.stringify(after.resume)}`);
    if (!after.notices.includes("moving to another server…")) throw new Error(`no move notice: ${after.notices}`);
    if (!after.shown || after.shown === "-") throw new Error("the overlay shows no notice");
    const logins = requests.filter((p) => p === "/api/dev/token").length;
    const connects = requests.filter((p) => p === "/api/connect").length;
    console.log(`requests: ${logins} dev token, ${connects} connect endpoint`);
    if (logins !== 1) throw new Error(`logged in ${logins} times`);
    if (connects < 1) throw new Error("the connect endpoint was not asked");

    // Playing on edge a: one more command, then every command answered exactly once.
    const last = await page.evaluate(({ id, q, r }) => window.__starlane.sendMove(id, q, r), unit);
    if (last === 0) throw new Error("no command sent after the move");
    await waitFor(page, (seq) => window.__starlane.answers().some((a) => a.seq === seq), last, "an answer on edge a", 10_000);
    await waitFor(page, () => window.__starlane.resume().unanswered === 0, null, "every command answered", 10_000);
    const { answers, racing } = await page.evaluate(() => ({
      answers: window.__starlane.answers(),
      racing: window.__racing,
    }));
    const sent = [...early, ...racing, last];
    const counts = new Map();
    for (const a of answers) counts.set(a.seq, (counts.get(a.seq) ?? 0) + 1);
    for (const seq of sent) {
      if (counts.get(seq) !== 1) throw new Error(`seq ${seq} answered ${counts.get(seq) ?? 0} times`);
    }
    if (counts.size !== sent.length) throw new Error(`answers for seqs never sent: ${JSON.stringify(answers)}`);
    accepted = answers.filter((a) => a.ok).length;
    const final = await page.evaluate(() => window.__starlane.resume());
    console.log(`commands sent ${sent.length} (${racing.length} racing the drain), accepted ${accepted}, sent again after the move ${final.resent}, ` +
      `repeated answers dropped ${final.repeatedAnswers}`);
    await page.screenshot({ path: join(ARTIFACTS, "browser-drain.png") });
  } catch (e) {
    if (page) await page.screenshot({ path: join(ARTIFACTS, "browser-drain-failed.png") }).catch(() => undefined);
    throw new Error(`${e.message}\nbrowser console:\n${consoleLines.join("\n")}\nserver log:\n${server.log().slice(-4000)}`);
  } finally {
    await endScenario(browser, server, dataDir, fail);
  }
  // The region applied each accepted command once: none twice across the move.
  const m = server.log().match(/^STARLANE_STATS (\{.*\})$/m);
  if (!m) throw new Error("the server printed no STARLANE_STATS");
  const stats = JSON.parse(m[1]);
  console.log(`region: ${JSON.stringify(stats)}`);
  if (stats.commands_applied !== accepted) {
    throw new Error(`region applied ${stats.commands_applied} commands, the page saw ${accepted} accepted`);
  }
}
