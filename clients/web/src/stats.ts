// Connection statistics: round-trip time, its variation and ping loss from
// ping/pong, and received bytes per second. Pure logic: time is passed in (ms).

/** Pings older than this are forgotten (their pong is considered lost). */
const PING_TIMEOUT_MS = 10_000;
/** At most this many pings are remembered at once. */
const MAX_PENDING_PINGS = 64;

/** Matches pongs to pings by nonce and measures the round-trip time. */
export class RttTracker {
  /** Latest RTT sample in ms, or null before the first pong. */
  lastMs: number | null = null;
  /** Smoothed RTT (EWMA, 1/8 weight like TCP's SRTT), or null before the first pong. */
  smoothedMs: number | null = null;
  /**
   * RTT variation (RFC 6298 RTTVAR: EWMA, 1/4 weight, of |SRTT - sample|; half the first
   * sample), or null before the first pong.
   */
  varMs: number | null = null;
  /** Pongs that matched no outstanding ping (late, duplicated or forged). */
  unmatched = 0;
  /** Pings answered in time. */
  answered = 0;
  /** Pings given up on: unanswered after 10 s, or pushed out by newer ones. */
  lost = 0;

  private nextNonce = 1;
  private readonly pending = new Map<number, number>();

  /** Registers a ping sent at `now` and returns the nonce to put in it. */
  ping(now: number): number {
    const nonce = this.nextNonce;
    this.nextNonce = (this.nextNonce + 1) >>> 0 || 1;
    this.expire(now);
    if (this.pending.size >= MAX_PENDING_PINGS) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) {
        this.pending.delete(oldest.value);
        this.lost++;
      }
    }
    this.pending.set(nonce, now);
    return nonce;
  }

  /** Handles a pong received at `now`; returns the RTT sample or null if unmatched. */
  pong(nonce: number, now: number): number | null {
    const sent = this.pending.get(nonce);
    if (sent === undefined) {
      this.unmatched++;
      return null;
    }
    this.pending.delete(nonce);
    const rtt = Math.max(0, now - sent);
    this.answered++;
    this.lastMs = rtt;
    if (this.smoothedMs === null || this.varMs === null) {
      this.smoothedMs = rtt;
      this.varMs = rtt / 2;
    } else {
      this.varMs = (3 * this.varMs + Math.abs(this.smoothedMs - rtt)) / 4;
      this.smoothedMs = this.smoothedMs + (rtt - this.smoothedMs) / 8;
    }
    return rtt;
  }

  /** Number of pings awaiting a pong. */
  get outstanding(): number {
    return this.pending.size;
  }

  private expire(now: number): void {
    for (const [nonce, sent] of this.pending) {
      if (now - sent > PING_TIMEOUT_MS) {
        this.pending.delete(nonce);
        this.lost++;
      }
    }
  }
}

/**
 * Counts bytes and reports the rate over fixed windows: the rate shown is the
 * one of the last complete window.
 */
export class RateMeter {
  /** Rate of the last complete window in kB/s (1 kB = 1000 bytes). */
  kBps = 0;
  /** Total bytes counted. */
  total = 0;

  private windowStart: number | null = null;
  private windowBytes = 0;

  constructor(private readonly windowMs = 1000) {}

  /** Counts `bytes` received at `now`. */
  add(bytes: number, now: number): void {
    this.roll(now);
    this.windowBytes += bytes;
    this.total += bytes;
  }

  /** Closes the window if it is over; call regularly so idle periods show 0. */
  roll(now: number): void {
    if (this.windowStart === null) {
      this.windowStart = now;
      return;
    }
    const elapsed = now - this.windowStart;
    if (elapsed < this.windowMs) return;
    // Bytes counted since the window opened, over the time it really lasted
    // (longer than windowMs when nothing rolled it in time).
    this.kBps = this.windowBytes / elapsed;
    this.windowStart = now;
    this.windowBytes = 0;
  }
}
