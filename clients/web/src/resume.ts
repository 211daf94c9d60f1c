// Moving to another edge without logging in again (protocol/SPEC.md §17), as a state machine
// driven by messages and time, without I/O (net.ts does the fetches, sessions and timers).
//
// The client keeps the latest resume ticket, the commands not answered yet (by seq) and the
// connect endpoints. On `Move` (or when its session closes unexpectedly, goes silent, or is
// refused with a curable reason, if it knows a connect endpoint and holds a ticket) it plans a
// reconnection: ask the connect endpoints in turn for an edge (the first that answers wins),
// open a session there, say `Resume` with the token and the ticket (or `Hello` once the ticket
// was refused), and on the welcome send the unanswered commands again with their seqs. The
// region applies a seq once; the client reports each answer once. Attempts are bounded, with
// doubling backoff.
//
// An edge that dies without a word (`kill -9`) takes its own connect endpoint with it, so the
// client knows several (`connect_urls`), and names the edge it lost (`?lost=<its
// webtransport_url>`), so that an endpoint whose registry still lists the dead edge hands out
// another; the later half of the attempts stop naming it (it may have been a network blip).

import { PROTOCOL_VERSION, RejectReason } from "./protocol";
import type { ClientMsg, Command } from "./protocol";

/** Attempts of one reconnection before the session is given up. */
export const RESUME_ATTEMPTS = 6;
/** Wait before the second attempt; doubled after each failure. */
export const FIRST_BACKOFF_MS = 100;
/** Longest wait between two attempts. */
export const MAX_BACKOFF_MS = 5_000;
/** How long a new edge has to welcome the client. */
export const WELCOME_TIMEOUT_MS = 10_000;
/** A session shorter than this (welcome to the next planned reconnection) counts as a flap;
 * more than RESUME_ATTEMPTS flaps in a row end the session, and each waits longer. */
export const STABLE_SESSION_MS = 10_000;
/** A session that received nothing (datagram or stream bytes) this long while playing counts
 * as lost, like the native client's link idle timeout: the edge answers the client's pings
 * every second and the QUIC idle timeout it advertises is 2.5 s. */
export const SILENCE_TIMEOUT_MS = 3_000;
/** Most unanswered commands kept for sending again (the oldest is dropped beyond it), and
 * most answered seqs remembered to drop a repeated answer. */
export const MAX_UNANSWERED = 4096;

/** Where the machine is. */
export type ResumePhase =
  /** A session is up (or being set up the first time, with Hello). */
  | "playing"
  /** A reconnection is planned: waiting for its delay to pass. */
  | "waiting"
  /** An attempt is under way: connect endpoint asked, session opening, first message sent. */
  | "connecting"
  /** The session ended for good (refused in a way a reconnection would not cure, or every
   * attempt failed). */
  | "ended";

/** A planned reconnection attempt: run {@link ResumeState.beginAttempt} after `delayMs`. */
export interface ReconnectPlan {
  delayMs: number;
  /** 1 for the first attempt of this reconnection. */
  attempt: number;
}

/**
 * What one attempt does: ask the `connectUrls` in turn (naming the `lost` edge, if any) until
 * one answers, then open a session there and send `first`.
 */
export interface Attempt {
  connectUrls: string[];
  /** The address of the edge the client lost without a word (`?lost=`), or null. */
  lost: string | null;
  first: ClientMsg;
}

/** Whether another edge of the region may take a session this refusal ended. */
export function curable(reason: number): boolean {
  return (
    reason === RejectReason.ShuttingDown || reason === RejectReason.Draining || reason === RejectReason.RegionUnavailable
  );
}

/** Drain and resume state of one client. */
export class ResumeState {
  /** The latest resume ticket (lowercase hex), or null. */
  ticket: string | null = null;
  /** The connect endpoints, tried in turn (a Move's goes first); empty when none is known. */
  connectUrls: string[];
  /** The edge the session is on (its `webtransport_url`), or null before one. */
  edge: string | null = null;
  /** The edge the client lost without a word (closed unexpectedly or went silent), named to
   * the connect endpoint until a welcome or half the attempts; else null. */
  lost: string | null = null;
  /** Where the machine is. */
  phase: ResumePhase = "playing";
  /** The MoveReason of the reconnection under way, or null (lost link or none). */
  reason: number | null = null;
  /** Reconnections that ended welcomed. */
  moves = 0;
  /** Resumes refused (ResumeInvalid / ResumeExpired) that fell back to Hello. */
  ticketRefusals = 0;
  /** Commands sent again after a reconnection. */
  resent = 0;
  /** Answers dropped because their seq had been answered already. */
  repeatedAnswers = 0;
  /** Why the last attempt failed, or why the session ended. */
  lastError: string | null = null;

  private readonly unanswered = new Map<number, Command>();
  private readonly answeredSeqs = new Set<number>();
  private readonly answeredOrder: number[] = [];
  private attempts = 0;
  private backoffMs = FIRST_BACKOFF_MS;
  /** When the latest welcome arrived (ms), or null before one. */
  private welcomedAt: number | null = null;
  /** Reconnections planned in a row, each after a session shorter than STABLE_SESSION_MS. */
  private flaps = 0;

  constructor(
    readonly token: string,
    connectUrls: readonly string[] = [],
  ) {
    this.connectUrls = unique(connectUrls);
  }

  /** A session to `edge` (its webtransport_url) is being opened. */
  at(edge: string): void {
    this.edge = edge;
  }

  /** Command `seq` was sent. */
  sent(seq: number, command: Command): void {
    if (this.unanswered.size >= MAX_UNANSWERED) {
      const oldest = this.unanswered.keys().next();
      if (!oldest.done) this.unanswered.delete(oldest.value);
    }
    this.unanswered.set(seq, command);
  }

  /** An answer to `seq` arrived: true the first time (a repeated answer is reported once). */
  answered(seq: number): boolean {
    this.unanswered.delete(seq);
    if (this.answeredSeqs.has(seq)) {
      this.repeatedAnswers++;
      return false;
    }
    this.answeredSeqs.add(seq);
    this.answeredOrder.push(seq);
    if (this.answeredOrder.length > MAX_UNANSWERED) {
      const oldest = this.answeredOrder.shift();
      if (oldest !== undefined) this.answeredSeqs.delete(oldest);
    }
    return true;
  }

  /** Commands sent and not answered yet. */
  get unansweredCount(): number {
    return this.unanswered.size;
  }

  /** A fresh ticket arrived (ResumeTicket). */
  onTicket(ticket: string): void {
    this.ticket = ticket;
  }

  /** The edge said to move at `now` (ms): a reconnection is planned (null if none can be made). */
  onMove(reason: number, connectUrl: string, ticket: string, now: number): ReconnectPlan | null {
    this.ticket = ticket;
    if (connectUrl.length > 0) this.connectUrls = unique([connectUrl, ...this.connectUrls]);
    if (this.phase === "ended" || this.phase === "waiting" || this.phase === "connecting") return null;
    this.reason = reason;
    return this.plan(now);
  }

  /**
   * The edge refused or closed the session with `reason`. During an attempt: a refused
   * ticket is dropped and the next attempt says Hello at once; another curable reason is a
   * failed attempt. Otherwise a curable refusal plans a reconnection if one can be made.
   * Anything else ends the session.
   */
  onReject(reason: number, now: number): ReconnectPlan | null {
    if (this.phase === "ended" || this.phase === "waiting") return null;
    if (this.phase === "connecting") {
      if (reason === RejectReason.ResumeInvalid || reason === RejectReason.ResumeExpired) {
        this.ticket = null;
        this.ticketRefusals++;
        return this.retry(0, "resume ticket refused");
      }
      if (curable(reason)) return this.attemptFailed(`refused: reason ${reason}`);
      return this.end(`refused: reason ${reason}`);
    }
    if (!curable(reason)) return this.end(`refused: reason ${reason}`);
    if (!this.canResume()) return null;
    this.reason = null;
    return this.plan(now);
  }

  /**
   * The session closed (not by a reconnection of ours). While playing: a reconnection is
   * planned if the client can resume; during an attempt: the attempt failed.
   */
  onClose(detail: string, now: number): ReconnectPlan | null {
    switch (this.phase) {
      case "playing":
        if (!this.canResume()) return this.end(detail);
        this.reason = null;
        this.lost = this.edge;
        return this.plan(now);
      case "connecting":
        return this.attemptFailed(detail);
      default:
        return null;
    }
  }

  /**
   * Nothing arrived from the edge for `SILENCE_TIMEOUT_MS` while playing (the edge died
   * without a word, or the path did): the session is dropped and, as after an unexpected
   * close, a reconnection is planned that names this edge as lost.
   */
  onSilence(now: number): ReconnectPlan | null {
    if (this.phase !== "playing") return null;
    return this.onClose(`no word from the server for ${SILENCE_TIMEOUT_MS} ms`, now);
  }

  /** The planned delay passed: what to do now, or null if nothing is planned. */
  beginAttempt(): Attempt | null {
    if (this.phase !== "waiting" || this.connectUrls.length === 0) return null;
    this.phase = "connecting";
    this.attempts++;
    // The later attempts stop avoiding the lost edge: it may have been a network blip.
    if (this.attempts > RESUME_ATTEMPTS / 2) this.lost = null;
    const first: ClientMsg =
      this.ticket !== null
        ? { type: "resume", version: PROTOCOL_VERSION, token: this.token, ticket: this.ticket }
        : { type: "hello", version: PROTOCOL_VERSION, token: this.token };
    return { connectUrls: [...this.connectUrls], lost: this.lost, first };
  }

  /** The attempt under way failed (connect endpoint, session, or no welcome in time). */
  attemptFailed(error: string): ReconnectPlan | null {
    if (this.phase !== "connecting") return null;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    return this.retry(delay, error);
  }

  /**
   * A welcome arrived. After a reconnection: the unanswered commands to send again, with their
   * seqs, in the order they were first sent; on a first welcome: none.
   */
  welcomed(now: number): ClientMsg[] {
    this.welcomedAt = now;
    if (this.phase !== "connecting") return [];
    this.phase = "playing";
    this.lost = null;
    this.moves++;
    this.attempts = 0;
    this.backoffMs = FIRST_BACKOFF_MS;
    this.lastError = null;
    this.resent += this.unanswered.size;
    return [...this.unanswered].map(([seq, command]) => ({ type: "command", seq, command }));
  }

  /** The client closed the session itself: no reconnection from here on. */
  stop(why: string): void {
    this.end(why);
  }

  /** Whether a reconnection is planned or under way. */
  get reconnecting(): boolean {
    return this.phase === "waiting" || this.phase === "connecting";
  }

  private canResume(): boolean {
    return this.ticket !== null && this.connectUrls.length > 0;
  }

  /**
   * Plans a reconnection at `now`: at once after a session that lasted, with growing delays
   * after sessions that did not (an edge that welcomes and drops the client again and again),
   * and not at all after too many of those in a row.
   */
  private plan(now: number): ReconnectPlan | null {
    if (this.connectUrls.length === 0) return this.end("no connect endpoint known");
    const short = this.welcomedAt !== null && now - this.welcomedAt < STABLE_SESSION_MS;
    this.flaps = short ? this.flaps + 1 : 0;
    if (this.flaps > RESUME_ATTEMPTS) return this.end("could not reconnect: sessions keep ending at once");
    this.phase = "waiting";
    this.attempts = 0;
    this.backoffMs = FIRST_BACKOFF_MS;
    const delayMs = this.flaps === 0 ? 0 : Math.min(FIRST_BACKOFF_MS * 2 ** (this.flaps - 1), MAX_BACKOFF_MS);
    return { delayMs, attempt: 1 };
  }

  private retry(delayMs: number, error: string): ReconnectPlan | null {
    this.lastError = error;
    if (this.attempts >= RESUME_ATTEMPTS) return this.end(`could not reconnect: ${error}`);
    this.phase = "waiting";
    return { delayMs, attempt: this.attempts + 1 };
  }

  private end(why: string): null {
    this.phase = "ended";
    this.lastError = why;
    return null;
  }
}

/** `urls` without empty strings or repeats, in order. */
function unique(urls: readonly string[]): string[] {
  return [...new Set(urls.filter((u) => u.length > 0))];
}
