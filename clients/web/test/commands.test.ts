import { describe, expect, it } from "vitest";
import { CommandLog } from "../src/commands";

describe("CommandLog", () => {
  it("numbers commands from 1 and records acks", () => {
    const log = new CommandLog();
    const a = log.begin(7, { q: 1, r: 2 }, 0);
    const b = log.begin(7, { q: 3, r: 4 }, 5);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(log.lastSentSeq).toBe(2);
    expect(log.outstanding).toBe(2);
    expect(log.ack(1, 10)).toEqual(a);
    expect(log.last).toEqual({ seq: 1, ok: true });
    expect(log.lastAt).toBe(10);
    expect(log.outstanding).toBe(1);
  });

  it("records rejections with a readable error", () => {
    const log = new CommandLog();
    const a = log.begin(7, { q: 1, r: 2 }, 0);
    expect(log.reject(a.seq, 4, 20)).toEqual(a);
    expect(log.last).toEqual({ seq: 1, ok: false, error: "impassable" });
    log.begin(7, { q: 1, r: 2 }, 0);
    log.reject(2, "rate limited", 30);
    expect(log.last).toEqual({ seq: 2, ok: false, error: "rate limited" });
  });

  it("counts answers to commands it never sent", () => {
    const log = new CommandLog();
    expect(log.ack(42, 0)).toBeNull();
    expect(log.unmatched).toBe(1);
    expect(log.last).toEqual({ seq: 42, ok: true });
  });

  it("forgets abandoned and very old commands", () => {
    const log = new CommandLog();
    const a = log.begin(1, { q: 0, r: 0 }, 0);
    log.abandon(a.seq);
    expect(log.outstanding).toBe(0);
    log.begin(1, { q: 0, r: 0 }, 0);
    log.begin(1, { q: 0, r: 0 }, 60_000);
    expect(log.outstanding).toBe(1);
  });
});
