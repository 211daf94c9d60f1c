// Notices a session that went silent: an edge killed without a word (`kill -9`) sends
// nothing more, and the browser's QUIC idle timeout (2.5 s, advertised by the edge) may not
// be all there is to rely on. Pure: driven by the times bytes arrived and checks ran.

import { SILENCE_TIMEOUT_MS } from "./resume";

/** How often net.ts checks for silence. */
export const SILENCE_CHECK_MS = 500;
/** A check this long after the previous one ran late (timers throttled in a background tab,
 * a suspended machine): the silence may be ours, so the clock starts again. */
export const LATE_CHECK_MS = 2_000;

/** When the session last heard from the edge, and whether that is too long ago. */
export class SilenceWatch {
  private lastHeard: number;
  private lastCheck: number;

  constructor(now: number) {
    this.lastHeard = now;
    this.lastCheck = now;
  }

  /** Bytes (a datagram or stream data) arrived at `now`. */
  heard(now: number): void {
    this.lastHeard = Math.max(this.lastHeard, now);
  }

  /** A check at `now`: true when nothing arrived for SILENCE_TIMEOUT_MS (false after a late check). */
  check(now: number): boolean {
    const late = now - this.lastCheck > LATE_CHECK_MS;
    this.lastCheck = now;
    if (late) {
      this.lastHeard = Math.max(this.lastHeard, now);
      return false;
    }
    return now - this.lastHeard >= SILENCE_TIMEOUT_MS;
  }
}
