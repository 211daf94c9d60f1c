import { describe, expect, it } from "vitest";
import { RateMeter, RttTracker } from "../src/stats";

describe("RttTracker", () => {
  it("measures the round trip of a matching pong", () => {
    const t = new RttTracker();
    expect(t.lastMs).toBeNull();
    const n1 = t.ping(1000);
    const n2 = t.ping(2000);
    expect(n1).not.toBe(n2);
    expect(t.outstanding).toBe(2);
    expect(t.pong(n2, 2030)).toBe(30);
    expect(t.lastMs).toBe(30);
    expect(t.smoothedMs).toBe(30);
    expect(t.pong(n1, 2100)).toBe(1100);
    expect(t.lastMs).toBe(1100);
    expect(t.smoothedMs).toBeCloseTo(30 + (1100 - 30) / 8);
    expect(t.outstanding).toBe(0);
  });

  it("ignores unknown and duplicated pongs", () => {
    const t = new RttTracker();
    const n = t.ping(0);
    expect(t.pong(n + 100, 10)).toBeNull();
    expect(t.pong(n, 10)).toBe(10);
    expect(t.pong(n, 20)).toBeNull();
    expect(t.unmatched).toBe(2);
    expect(t.lastMs).toBe(10);
  });

  it("forgets pings that were never answered", () => {
    const t = new RttTracker();
    const old = t.ping(0);
    for (let i = 1; i <= 5; i++) t.ping(i * 1000);
    expect(t.outstanding).toBe(6);
    t.ping(11_000); // the ping at 0 is now older than 10 s
    expect(t.pong(old, 11_001)).toBeNull();
    // The pending set stays bounded however many pings go unanswered.
    for (let i = 0; i < 1000; i++) t.ping(11_000 + i);
    expect(t.outstanding).toBeLessThanOrEqual(64);
  });
});

describe("RateMeter", () => {
  it("reports bytes per ms (= kB/s) of the last complete window", () => {
    const m = new RateMeter(1000);
    m.add(500, 0);
    m.add(1500, 400);
    expect(m.kBps).toBe(0); // first window not complete yet
    m.add(100, 1000); // closes the first window: 2000 bytes in 1 s
    expect(m.kBps).toBe(2);
    m.roll(2000); // second window held 100 bytes
    expect(m.kBps).toBeCloseTo(0.1);
    m.roll(3000); // nothing in the third window
    expect(m.kBps).toBe(0);
    expect(m.total).toBe(2100);
  });

  it("spreads bytes over a longer window when nothing rolled it in time", () => {
    const m = new RateMeter(1000);
    m.add(0, 0);
    m.add(4000, 100);
    m.roll(4000);
    expect(m.kBps).toBe(1);
  });
});

describe("RttTracker variation and ping loss", () => {
  it("tracks the RTT variation like RFC 6298", () => {
    const t = new RttTracker();
    expect(t.varMs).toBeNull();
    t.pong(t.ping(0), 40);
    expect(t.smoothedMs).toBe(40);
    expect(t.varMs).toBe(20); // half the first sample
    t.pong(t.ping(100), 180); // 80 ms: var = 3/4 * 20 + 1/4 * |40 - 80|, srtt = 40 + 40/8
    expect(t.varMs).toBe(25);
    expect(t.smoothedMs).toBe(45);
    for (let i = 0; i < 100; i++) t.pong(t.ping(1000 + i * 100), 1000 + i * 100 + 45);
    // A steady 45 ms: the variation decays towards 0.
    expect(t.smoothedMs).toBeCloseTo(45);
    expect(t.varMs).toBeLessThan(0.01);
    expect(t.answered).toBe(102);
  });

  it("counts unanswered pings as lost once they expire or are pushed out", () => {
    const t = new RttTracker();
    t.ping(0);
    t.ping(500);
    t.pong(t.ping(600), 650);
    expect(t.lost).toBe(0);
    t.ping(10_550); // the pings at 0 and 500 are now over 10 s old
    expect(t.lost).toBe(2);
    const u = new RttTracker();
    for (let i = 0; i < 70; i++) u.ping(i);
    expect(u.lost).toBe(6); // beyond the 64 remembered
    expect(u.answered + u.lost + u.outstanding).toBe(70);
  });
});
