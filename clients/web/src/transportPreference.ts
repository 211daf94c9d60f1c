// Which transport a new session tries first. WebTransport is the better link, but on a
// network that blocks UDP it never opens, and every session (each move to another edge)
// would wait WT_FALLBACK_MS for it before taking the WebSocket. So once WebTransport fails
// to open, sessions go straight to the WebSocket for a while.
//
// Only a failure to open counts: a WebTransport session that opened and later dropped says
// the network passes it (edges drain, die and move players; that is a normal disconnect),
// so the reconnection tries WebTransport again. And the preference expires: the player may
// have moved to a network that passes UDP, or the blockage may have passed. Pure: driven by
// the times (ms, monotonic) the outcomes happened.

/** How long after WebTransport failed to open new sessions go straight to the WebSocket. */
export const WS_PREFERENCE_MS = 5 * 60_000;

/** How a WebTransport attempt ended, as far as the network is concerned. */
export type WebTransportOutcome =
  /** Its session opened (whatever happened after: a drop is a normal disconnect). */
  | "opened"
  /** It did not open: timed out, or failed before its session opened. */
  | "failedToOpen";

/** Whether the next session should skip WebTransport and take the WebSocket. */
export class TransportPreference {
  /** Until when the WebSocket is preferred; null while WebTransport is. */
  private webSocketUntil: number | null = null;

  /** Whether a session opened at `now` should go straight to the WebSocket. */
  preferWebSocket(now: number): boolean {
    if (this.webSocketUntil === null) return false;
    if (now < this.webSocketUntil) return true;
    // Expired: the next session tries WebTransport (and a new failure starts a new interval).
    this.webSocketUntil = null;
    return false;
  }

  /** A WebTransport attempt ended at `now` with `outcome`. */
  record(outcome: WebTransportOutcome, now: number): void {
    // A failure renews the interval from its own time; an opened session ends it early (the
    // network passes WebTransport, e.g. an edge without a WebSocket forced a try).
    this.webSocketUntil = outcome === "failedToOpen" ? now + WS_PREFERENCE_MS : null;
  }
}
