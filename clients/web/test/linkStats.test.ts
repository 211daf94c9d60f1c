import { describe, expect, it } from "vitest";
import {
  type LinkSample,
  LinkStatsSampler,
  type OwnCounters,
  type TransportStatsSample,
  formatBytes,
  formatLink,
  linkStatsView,
} from "../src/linkStats";

function own(over: Partial<OwnCounters> = {}): OwnCounters {
  return {
    srttMs: null,
    rttVarMs: null,
    bytesIn: 0,
    bytesOut: 0,
    messagesIn: 0,
    messagesOut: 0,
    pingsAnswered: 0,
    pingsLost: 0,
    ...over,
  };
}

/** A Chromium-like getStats() result. */
function chromium(over: Partial<Record<keyof TransportStatsSample, unknown>> = {}): TransportStatsSample {
  return {
    bytesSent: 2_000,
    bytesReceived: 50_000,
    packetsSent: 100,
    packetsReceived: 80,
    packetsLost: 2,
    smoothedRtt: 42.5,
    rttVariation: 7.2,
    minRtt: 30,
    datagrams: { droppedIncoming: 1, expiredOutgoing: 0, lostOutgoing: 3 },
    ...over,
  };
}

const at = (atMs: number, transport: TransportStatsSample | null, o: OwnCounters = own()): LinkSample => ({
  atMs,
  transport,
  own: o,
});

describe("linkStatsView", () => {
  it("takes everything from getStats when the browser gives it", () => {
    const v = linkStatsView(at(1000, chromium(), own({ srttMs: 99, bytesIn: 7, messagesIn: 1 })), null);
    expect(v.rttSource).toBe("transport");
    expect(v.srttMs).toBe(42.5);
    expect(v.rttVarMs).toBe(7.2);
    expect(v.minRttMs).toBe(30);
    expect(v.countersSource).toBe("transport");
    expect([v.bytesIn, v.bytesOut, v.packetsIn, v.packetsOut, v.packetsLost]).toEqual([50_000, 2_000, 80, 100, 2]);
    expect(v.lossPct).toBe(2);
    expect(v.datagrams).toEqual({ droppedIncoming: 1, expiredOutgoing: 0, lostOutgoing: 3 });
    // Nothing to compare the first sample with.
    expect(v.inKBps).toBeNull();
    expect(v.outKBps).toBeNull();
    expect(v.recentLossPct).toBeNull();
  });

  it("computes rates and the loss of the last interval from the previous sample", () => {
    const first = linkStatsView(at(1000, chromium()), null);
    const second = linkStatsView(
      at(3000, chromium({ bytesReceived: 90_000, bytesSent: 3_000, packetsSent: 150, packetsLost: 7 })),
      first,
    );
    expect(second.inKBps).toBe(20); // 40 kB over 2 s
    expect(second.outKBps).toBe(0.5);
    expect(second.recentLossPct).toBe(10); // 5 of the 50 sent in between
    expect(second.lossPct).toBeCloseTo((100 * 7) / 150);
  });

  it("falls back to ping RTT and own counters without getStats", () => {
    const counters = own({
      srttMs: 20,
      rttVarMs: 4,
      bytesIn: 1_500,
      bytesOut: 300,
      messagesIn: 12,
      messagesOut: 9,
      pingsAnswered: 9,
      pingsLost: 1,
    });
    const v = linkStatsView(at(500, null, counters), null);
    expect(v.rttSource).toBe("client");
    expect([v.srttMs, v.rttVarMs, v.minRttMs]).toEqual([20, 4, null]);
    expect(v.countersSource).toBe("client");
    expect([v.bytesIn, v.bytesOut, v.packetsIn, v.packetsOut, v.packetsLost]).toEqual([1_500, 300, 12, 9, 1]);
    expect(v.lossPct).toBe(10); // 1 of 10 pings
    expect(v.datagrams).toBeNull();
    const next = linkStatsView(at(1500, null, { ...counters, bytesIn: 3_500, pingsAnswered: 10 }), v);
    expect(next.inKBps).toBe(2);
    expect(next.recentLossPct).toBe(0);
  });

  it("uses each figure the browser left out from the client, and ignores junk", () => {
    // RTT not measured yet (0) and counters incomplete: the client's figures stand in.
    const partial = chromium({ smoothedRtt: 0, bytesReceived: undefined });
    const v = linkStatsView(at(0, partial, own({ srttMs: 15, rttVarMs: 3, bytesIn: 10 })), null);
    expect(v.rttSource).toBe("client");
    expect(v.srttMs).toBe(15);
    expect(v.countersSource).toBe("client");
    expect(v.bytesIn).toBe(10);
    const junk = chromium({ smoothedRtt: "fast", rttVariation: Number.NaN, packetsLost: -1, datagrams: 5 });
    const w = linkStatsView(at(0, junk), null);
    expect(w.rttSource).toBeNull();
    expect(w.srttMs).toBeNull();
    expect(w.rttVarMs).toBeNull();
    expect(w.packetsLost).toBeNull();
    expect(w.lossPct).toBeNull();
    expect(w.datagrams).toBeNull();
  });

  it("does not compute rates across a change of source or a counter going back", () => {
    const fromClient = linkStatsView(at(0, null, own({ bytesIn: 100 })), null);
    const fromTransport = linkStatsView(at(1000, chromium()), fromClient);
    expect(fromTransport.inKBps).toBeNull();
    const back = linkStatsView(at(2000, chromium({ bytesReceived: 10, packetsLost: 0 })), fromTransport);
    expect(back.inKBps).toBe(0);
    expect(back.recentLossPct).toBeNull(); // nothing sent in between
  });

  it("keeps loss within 0..100 %", () => {
    const v = linkStatsView(at(0, chromium({ packetsSent: 2, packetsLost: 5 })), null);
    expect(v.lossPct).toBe(100);
  });
});

describe("LinkStatsSampler", () => {
  it("samples both sources and compares with its previous view", async () => {
    let now = 0;
    let stats: TransportStatsSample | null = chromium();
    const sampler = new LinkStatsSampler({
      transportStats: () => Promise.resolve(stats),
      own: () => own({ srttMs: 5 }),
      now: () => now,
    });
    expect(sampler.latest).toBeNull();
    const first = await sampler.poll();
    expect(first?.srttMs).toBe(42.5);
    now = 1000;
    stats = chromium({ bytesReceived: 51_000 });
    const second = await sampler.poll();
    expect(second?.inKBps).toBe(1);
    expect(sampler.latest).toBe(second);
    // getStats gone (or failing): the client's own figures.
    stats = null;
    now = 2000;
    expect((await sampler.poll())?.srttMs).toBe(5);
  });

  it("treats a failing getStats as missing and never stacks requests", async () => {
    let release: (v: TransportStatsSample | null) => void = () => undefined;
    let calls = 0;
    const sampler = new LinkStatsSampler({
      transportStats: () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error("closed"));
        return new Promise((r) => (release = r));
      },
      own: () => own({ bytesIn: 64 }),
      now: () => calls,
    });
    const failed = await sampler.poll();
    expect(failed?.countersSource).toBe("client");
    expect(failed?.bytesIn).toBe(64);
    const slow = sampler.poll();
    // A second poll while the first still waits returns the current view without asking again.
    expect(await sampler.poll()).toBe(failed);
    expect(calls).toBe(2);
    release(chromium());
    expect((await slow)?.countersSource).toBe("transport");
  });
});

describe("formatLink", () => {
  it("shows srtt ± variation, loss and both directions", () => {
    const first = linkStatsView(at(0, chromium()), null);
    const v = linkStatsView(at(1000, chromium({ bytesReceived: 62_000, packetsSent: 150, packetsLost: 3 })), first);
    expect(formatLink(v)).toEqual({
      rtt: "42.5 ± 7.2 ms",
      loss: "2.0 % (3 pk lost)",
      rx: "12.00 kB/s · 62.0 kB · 80 pk",
      tx: "0.00 kB/s · 2.0 kB · 150 pk",
    });
  });

  it("marks the client's own figures and shows dashes before any sample", () => {
    expect(formatLink(null)).toEqual({ rtt: "-", loss: "-", rx: "-", tx: "-" });
    const v = linkStatsView(at(0, null, own({ srttMs: 12, rttVarMs: 2, bytesIn: 950, messagesIn: 4, pingsAnswered: 4 })), null);
    const f = formatLink(v);
    expect(f.rtt).toBe("12.0 ± 2.0 ms (ping)");
    expect(f.loss).toBe("0.0 % (0 pings lost)");
    expect(f.rx).toBe("950 B · 4 msg");
  });

  it("formats byte counts in powers of 1000", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_000)).toBe("1.0 kB");
    expect(formatBytes(4_560_000)).toBe("4.56 MB");
  });
});
