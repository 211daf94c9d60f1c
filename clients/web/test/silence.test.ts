import { describe, expect, it } from "vitest";
import { SILENCE_TIMEOUT_MS } from "../src/resume";
import { LATE_CHECK_MS, SILENCE_CHECK_MS, SilenceWatch } from "../src/silence";

/** Runs checks every SILENCE_CHECK_MS from `from` to `to`: the first time one says silent, or null. */
function firstSilent(w: SilenceWatch, from: number, to: number, heardUntil = -1): number | null {
  for (let t = from + SILENCE_CHECK_MS; t <= to; t += SILENCE_CHECK_MS) {
    if (t <= heardUntil) w.heard(t);
    if (w.check(t)) return t;
  }
  return null;
}

describe("silence watch", () => {
  it("says silent once nothing arrived for the timeout, not before", () => {
    const w = new SilenceWatch(0);
    expect(firstSilent(w, 0, 10_000)).toBe(SILENCE_TIMEOUT_MS);
  });

  it("bytes arriving keep the session alive", () => {
    const w = new SilenceWatch(0);
    expect(firstSilent(w, 0, 20_000, 20_000)).toBeNull();
    const v = new SilenceWatch(0);
    expect(firstSilent(v, 0, 20_000, 5_000)).toBe(5_000 + SILENCE_TIMEOUT_MS);
  });

  it("a late check (throttled timers) starts the clock again instead of firing", () => {
    const w = new SilenceWatch(0);
    expect(w.check(LATE_CHECK_MS + 60_000)).toBe(false);
    // Checks at the usual pace from there fire a timeout after the late one.
    expect(firstSilent(w, LATE_CHECK_MS + 60_000, 100_000)).toBe(LATE_CHECK_MS + 60_000 + SILENCE_TIMEOUT_MS);
  });
});
