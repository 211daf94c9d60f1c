import { describe, expect, it } from "vitest";
import { MoveReason, PROTOCOL_VERSION, RejectReason } from "../src/protocol";
import type { Command } from "../src/protocol";
import {
  FIRST_BACKOFF_MS,
  MAX_BACKOFF_MS,
  RESUME_ATTEMPTS,
  ResumeState,
  SILENCE_TIMEOUT_MS,
  STABLE_SESSION_MS,
  curable,
} from "../src/resume";

const TOKEN = "header.payload.signature";
const CONNECT = "http://127.0.0.1:8080/api/connect";

/** A clock where every event comes a stable session's length after the one before. */
let clock = 0;
function tick(): number {
  clock += STABLE_SESSION_MS;
  return clock;
}

function move(unit: number, q: number): Command {
  return { type: "move", unit, to: { q, r: 0 } };
}

/** A client playing with commands 1..=3 sent, 1 answered, and a ticket. */
function playing(): ResumeState {
  const s = new ResumeState(TOKEN, [CONNECT]);
  for (const seq of [1, 2, 3]) s.sent(seq, move(7, seq));
  expect(s.answered(1)).toBe(true);
  s.onTicket("aa".repeat(61));
  return s;
}

describe("resume state", () => {
  it("on Move resumes through the new endpoint with the ticket and sends the unanswered commands again", () => {
    const s = playing();
    const plan = s.onMove(MoveReason.Drain, "http://other/connect", "bb".repeat(61), tick());
    expect(plan).toEqual({ delayMs: 0, attempt: 1 });
    expect(s.phase).toBe("waiting");
    expect(s.reason).toBe(MoveReason.Drain);
    const attempt = s.beginAttempt();
    expect(attempt).toEqual({
      connectUrls: ["http://other/connect", CONNECT],
      lost: null,
      first: { type: "resume", version: PROTOCOL_VERSION, token: TOKEN, ticket: "bb".repeat(61) },
    });
    expect(s.phase).toBe("connecting");
    expect(s.welcomed(tick())).toEqual([
      { type: "command", seq: 2, command: move(7, 2) },
      { type: "command", seq: 3, command: move(7, 3) },
    ]);
    expect(s.phase).toBe("playing");
    expect(s.moves).toBe(1);
    expect(s.resent).toBe(2);
  });

  it("keeps the known endpoint when the Move names none", () => {
    const s = playing();
    s.onMove(MoveReason.Shutdown, "", "cc", tick());
    expect(s.beginAttempt()?.connectUrls).toEqual([CONNECT]);
  });

  it("reports an answer repeated across a move once", () => {
    const s = playing();
    s.onMove(MoveReason.Drain, "", "cc", tick());
    s.beginAttempt();
    s.welcomed(tick());
    expect(s.answered(2)).toBe(true);
    expect(s.answered(2)).toBe(false);
    expect(s.answered(1)).toBe(false);
    expect(s.repeatedAnswers).toBe(2);
    expect(s.unansweredCount).toBe(1);
  });

  it("a first welcome sends nothing again", () => {
    const s = playing();
    expect(s.welcomed(tick())).toEqual([]);
    expect(s.moves).toBe(0);
  });

  it("falls back to Hello with the token when the ticket is refused", () => {
    for (const reason of [RejectReason.ResumeInvalid, RejectReason.ResumeExpired]) {
      const s = playing();
      s.onMove(MoveReason.Drain, "", "dd", tick());
      s.beginAttempt();
      expect(s.onReject(reason, tick())).toEqual({ delayMs: 0, attempt: 2 });
      expect(s.ticket).toBeNull();
      expect(s.beginAttempt()?.first).toEqual({ type: "hello", version: PROTOCOL_VERSION, token: TOKEN });
      expect(s.welcomed(tick())).toHaveLength(2);
      expect(s.ticketRefusals).toBe(1);
    }
  });

  it("retries with doubling backoff and gives up after a bounded number of attempts", () => {
    const s = playing();
    s.onMove(MoveReason.Drain, "", "ee", tick());
    const delays: number[] = [];
    for (;;) {
      expect(s.beginAttempt()).not.toBeNull();
      const plan = s.attemptFailed("connect endpoint: http 503");
      if (!plan) break;
      delays.push(plan.delayMs);
    }
    expect(delays).toHaveLength(RESUME_ATTEMPTS - 1);
    expect(delays[0]).toBe(FIRST_BACKOFF_MS);
    expect(delays[1]).toBe(2 * FIRST_BACKOFF_MS);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    expect(s.phase).toBe("ended");
    expect(s.lastError).toMatch(/could not reconnect: connect endpoint: http 503/);
    expect(s.beginAttempt()).toBeNull();
    expect(s.onClose("closed", tick())).toBeNull();
  });

  it("a session lost while playing is resumed if a ticket and an endpoint are known", () => {
    const s = playing();
    expect(s.onClose("closed by server", tick())).toEqual({ delayMs: 0, attempt: 1 });
    expect(s.reason).toBeNull();
    expect(s.beginAttempt()?.first.type).toBe("resume");
  });

  it("a session lost without a ticket or an endpoint ends", () => {
    const noTicket = new ResumeState(TOKEN, [CONNECT]);
    expect(noTicket.onClose("closed", tick())).toBeNull();
    expect(noTicket.phase).toBe("ended");
    const noEndpoint = new ResumeState(TOKEN, []);
    noEndpoint.onTicket("aa");
    expect(noEndpoint.onClose("closed", tick())).toBeNull();
    expect(noEndpoint.phase).toBe("ended");
    // A Move without any endpoint cannot be followed.
    const lost = new ResumeState(TOKEN, []);
    expect(lost.onMove(MoveReason.Drain, "", "aa", tick())).toBeNull();
    expect(lost.phase).toBe("ended");
  });

  it("a curable refusal while playing moves; another ends the session", () => {
    expect(curable(RejectReason.ShuttingDown)).toBe(true);
    expect(curable(RejectReason.Draining)).toBe(true);
    expect(curable(RejectReason.RegionUnavailable)).toBe(true);
    expect(curable(RejectReason.Revoked)).toBe(false);
    const s = playing();
    expect(s.onReject(RejectReason.ShuttingDown, tick())).toEqual({ delayMs: 0, attempt: 1 });
    // The close that follows the refusal plans nothing more.
    expect(s.onClose("closed by server", tick())).toBeNull();
    expect(s.phase).toBe("waiting");
    const revoked = playing();
    expect(revoked.onReject(RejectReason.Revoked, tick())).toBeNull();
    expect(revoked.phase).toBe("ended");
    expect(revoked.onClose("closed", tick())).toBeNull();
  });

  it("a curable refusal of an attempt is a failed attempt; another ends the session", () => {
    const s = playing();
    s.onMove(MoveReason.Drain, "", "ff", tick());
    s.beginAttempt();
    expect(s.onReject(RejectReason.Draining, tick())).toEqual({ delayMs: FIRST_BACKOFF_MS, attempt: 2 });
    s.beginAttempt();
    expect(s.onReject(RejectReason.Banned, tick())).toBeNull();
    expect(s.phase).toBe("ended");
  });

  it("a close during an attempt fails it; a later success resets the backoff", () => {
    const s = playing();
    s.onMove(MoveReason.Drain, "", "ff", tick());
    s.beginAttempt();
    expect(s.onClose("connect failed", tick())).toEqual({ delayMs: FIRST_BACKOFF_MS, attempt: 2 });
    s.beginAttempt();
    s.welcomed(tick());
    s.onMove(MoveReason.Drain, "", "ff", tick());
    s.beginAttempt();
    expect(s.attemptFailed("x")).toEqual({ delayMs: FIRST_BACKOFF_MS, attempt: 2 });
  });

  it("stop ends the session for good", () => {
    const s = playing();
    s.stop("closed by client");
    expect(s.onClose("closed", tick())).toBeNull();
    expect(s.onMove(MoveReason.Drain, "", "aa", tick())).toBeNull();
    expect(s.phase).toBe("ended");
  });

  it("sessions that end right after their welcome reconnect later and later, then give up", () => {
    const s = playing();
    let now = tick();
    s.welcomed(now);
    const delays: number[] = [];
    for (;;) {
      now += 1_000;
      const plan = s.onClose("closed by server", now);
      if (!plan) break;
      delays.push(plan.delayMs);
      expect(s.beginAttempt()).not.toBeNull();
      now += 100;
      s.welcomed(now);
    }
    expect(delays).toHaveLength(RESUME_ATTEMPTS);
    expect(delays[0]).toBe(FIRST_BACKOFF_MS);
    expect(delays[1]).toBe(2 * FIRST_BACKOFF_MS);
    expect(s.phase).toBe("ended");
    expect(s.lastError).toMatch(/keep ending/);
    // A session that lasted resets the count: the next move is at once.
    const t = playing();
    t.welcomed(0);
    expect(t.onMove(MoveReason.Drain, "", "aa", 1_000)?.delayMs).toBe(FIRST_BACKOFF_MS);
    t.beginAttempt();
    t.welcomed(2_000);
    expect(t.onMove(MoveReason.Drain, "", "aa", 2_000 + STABLE_SESSION_MS)?.delayMs).toBe(0);
  });

  it("a session lost without a word names its edge to the endpoints, tried in turn", () => {
    const s = new ResumeState(TOKEN, [CONNECT, "http://b/connect", CONNECT, ""]);
    expect(s.connectUrls).toEqual([CONNECT, "http://b/connect"]);
    s.at("https://a:4433/");
    s.onTicket("aa");
    s.welcomed(tick());
    expect(s.onClose("closed: idle timeout", tick())).toEqual({ delayMs: 0, attempt: 1 });
    expect(s.lost).toBe("https://a:4433/");
    expect(s.beginAttempt()).toMatchObject({ connectUrls: [CONNECT, "http://b/connect"], lost: "https://a:4433/" });
    // The later half of the attempts stop naming it (a network blip).
    const named: (string | null)[] = [];
    for (let plan = s.attemptFailed("connect endpoint: http 502"); plan; plan = s.attemptFailed("again")) {
      named.push(s.beginAttempt()?.lost ?? null);
    }
    expect(named.slice(0, RESUME_ATTEMPTS / 2 - 1).every((l) => l === "https://a:4433/")).toBe(true);
    expect(named.slice(RESUME_ATTEMPTS / 2 - 1).every((l) => l === null)).toBe(true);
  });

  it("a welcome forgets the lost edge; a Move or a refusal names none", () => {
    const s = playing();
    s.at("https://a:4433/");
    s.onClose("closed by server", tick());
    s.beginAttempt();
    s.at("https://b:4433/");
    s.welcomed(tick());
    expect(s.lost).toBeNull();
    s.onMove(MoveReason.Drain, "http://b/connect", "bb", tick());
    expect(s.beginAttempt()).toMatchObject({ connectUrls: ["http://b/connect", CONNECT], lost: null });
    s.welcomed(tick());
    expect(s.onReject(RejectReason.ShuttingDown, tick())).not.toBeNull();
    expect(s.beginAttempt()?.lost).toBeNull();
  });

  it("silence while playing moves and names the edge; silence at other times does nothing", () => {
    const s = playing();
    s.at("https://a:4433/");
    s.welcomed(tick());
    expect(s.onSilence(tick())).toEqual({ delayMs: 0, attempt: 1 });
    expect(s.phase).toBe("waiting");
    expect(s.beginAttempt()?.lost).toBe("https://a:4433/");
    expect(s.onSilence(tick())).toBeNull();
    expect(s.phase).toBe("connecting");
    // Without a ticket the silent session ends, saying why.
    const fresh = new ResumeState(TOKEN, [CONNECT]);
    expect(fresh.onSilence(tick())).toBeNull();
    expect(fresh.phase).toBe("ended");
    expect(fresh.lastError).toContain(`${SILENCE_TIMEOUT_MS} ms`);
  });
});
