// Link statistics of the WebTransport session for the overlay and for tests: what the
// browser's QUIC stack measured (`WebTransport.getStats()`, where the browser has it) or,
// failing that, what the client counts itself (ping/pong RTT, bytes and messages). The
// conversion is pure (samples and time come in as arguments); the sampler only calls the
// functions it is given.

/**
 * The fields of a `WebTransport.getStats()` result this client reads (W3C WebTransport,
 * `WebTransportConnectionStats`: counts of the QUIC connection, times in ms). Browsers fill
 * different subsets, so every field is optional and checked before use: Chromium 156 has the
 * method only with the `WebTransportStats` Blink feature and then reports `smoothedRtt`,
 * `rttVariation`, `minRtt`, `estimatedSendRate` and `datagrams`, but no byte or packet counts.
 */
export interface TransportStatsSample {
  bytesSent?: unknown;
  bytesReceived?: unknown;
  packetsSent?: unknown;
  packetsReceived?: unknown;
  packetsLost?: unknown;
  smoothedRtt?: unknown;
  rttVariation?: unknown;
  minRtt?: unknown;
  datagrams?: unknown;
}

/** What the client counts itself; always available. */
export interface OwnCounters {
  /** Smoothed ping RTT, or null before the first pong. */
  srttMs: number | null;
  /** Ping RTT variation, or null before the first pong. */
  rttVarMs: number | null;
  /** Payload bytes read from the stream and the datagrams. */
  bytesIn: number;
  /** Payload bytes written to the stream and the datagrams. */
  bytesOut: number;
  /** Stream chunks and datagrams read. */
  messagesIn: number;
  /** Stream writes and datagrams written. */
  messagesOut: number;
  /** Pings answered. */
  pingsAnswered: number;
  /** Pings never answered. */
  pingsLost: number;
}

/** One reading of both sources at `atMs` (a monotonic clock). */
export interface LinkSample {
  atMs: number;
  /** The `getStats()` result, or null where the browser has none. */
  transport: TransportStatsSample | null;
  own: OwnCounters;
}

/** Where a figure comes from: the browser's QUIC connection, or the client's own counting. */
export type StatsSource = "transport" | "client";

/** Datagram counters of `getStats()` (W3C `WebTransportDatagramStats`). */
export interface DatagramStats {
  droppedIncoming: number | null;
  expiredOutgoing: number | null;
  lostOutgoing: number | null;
}

/** What the overlay shows and `window.__starlane.linkStats()` returns. */
export interface LinkStatsView {
  atMs: number;
  /** Source of the RTT figures (QUIC's estimate, or ping/pong); null before either has one. */
  rttSource: StatsSource | null;
  /** Smoothed round-trip time in ms. */
  srttMs: number | null;
  /** Round-trip time variation in ms. */
  rttVarMs: number | null;
  /** Smallest RTT QUIC has seen, in ms (transport only). */
  minRttMs: number | null;
  /**
   * Source of the counters: "transport" counts QUIC packets and their bytes, lost packets
   * are those QUIC declared lost; "client" counts messages and payload bytes, lost packets
   * are pings never answered.
   */
  countersSource: StatsSource;
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  /** Packets lost, or null when the transport does not say. */
  packetsLost: number | null;
  /** What loss is a share of: packets sent (transport) or pings settled (client). */
  lossBase: number;
  /** Share lost over the whole session, in percent; null before anything could be lost. */
  lossPct: number | null;
  /** Share lost since the previous sample, in percent; null when nothing was sent in between. */
  recentLossPct: number | null;
  /** Received kB (1000 bytes) per second since the previous sample, or null for the first. */
  inKBps: number | null;
  /** Sent kB per second since the previous sample, or null for the first. */
  outKBps: number | null;
  /** Datagram counters (transport only). */
  datagrams: DatagramStats | null;
}

/** A finite, non-negative number, else null. */
function count(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
}

/** A positive duration in ms (0 means "not measured yet"), else null. */
function duration(v: unknown): number | null {
  const n = count(v);
  return n !== null && n > 0 ? n : null;
}

function percent(part: number | null, whole: number): number | null {
  if (part === null || whole <= 0) return null;
  return Math.min(100, (100 * part) / whole);
}

function datagramStats(v: unknown): DatagramStats | null {
  if (typeof v !== "object" || v === null) return null;
  const d = v as Record<string, unknown>;
  return {
    droppedIncoming: count(d["droppedIncoming"]),
    expiredOutgoing: count(d["expiredOutgoing"]),
    lostOutgoing: count(d["lostOutgoing"]),
  };
}

/**
 * Turns `sample` into the overlay's model; rates and the recent loss compare it with `prev`
 * (the previous result), when both counted the same way. Each figure takes the transport's
 * value when the browser gave a usable one and the client's own otherwise.
 */
export function linkStatsView(sample: LinkSample, prev: LinkStatsView | null): LinkStatsView {
  const t = sample.transport ?? {};
  const own = sample.own;

  const transportSrtt = duration(t.smoothedRtt);
  const rttSource: StatsSource | null = transportSrtt !== null ? "transport" : own.srttMs !== null ? "client" : null;
  const srttMs = transportSrtt ?? own.srttMs;
  const rttVarMs = rttSource === "transport" ? count(t.rttVariation) : rttSource === "client" ? own.rttVarMs : null;

  // The four counters come from one source: the transport's only when it gave all four.
  const bytesIn = count(t.bytesReceived);
  const bytesOut = count(t.bytesSent);
  const packetsIn = count(t.packetsReceived);
  const packetsOut = count(t.packetsSent);
  const counters =
    bytesIn !== null && bytesOut !== null && packetsIn !== null && packetsOut !== null
      ? { source: "transport" as const, bytesIn, bytesOut, packetsIn, packetsOut }
      : {
          source: "client" as const,
          bytesIn: own.bytesIn,
          bytesOut: own.bytesOut,
          packetsIn: own.messagesIn,
          packetsOut: own.messagesOut,
        };
  const countersSource: StatsSource = counters.source;
  const packetsLost = countersSource === "transport" ? count(t.packetsLost) : own.pingsLost;
  const lossBase = countersSource === "transport" ? counters.packetsOut : own.pingsAnswered + own.pingsLost;

  let inKBps: number | null = null;
  let outKBps: number | null = null;
  let recentLossPct: number | null = null;
  const comparable = prev !== null && prev.countersSource === countersSource && sample.atMs > prev.atMs;
  if (comparable) {
    const dt = sample.atMs - prev.atMs;
    // Bytes per ms are kB per s. Counters never go back; a reset reads as 0, not negative.
    inKBps = Math.max(0, counters.bytesIn - prev.bytesIn) / dt;
    outKBps = Math.max(0, counters.bytesOut - prev.bytesOut) / dt;
    if (packetsLost !== null && prev.packetsLost !== null) {
      const lost = Math.max(0, packetsLost - prev.packetsLost);
      recentLossPct = percent(lost, lossBase - prev.lossBase);
    }
  }

  return {
    atMs: sample.atMs,
    rttSource,
    srttMs,
    rttVarMs,
    minRttMs: duration(t.minRtt),
    countersSource,
    bytesIn: counters.bytesIn,
    bytesOut: counters.bytesOut,
    packetsIn: counters.packetsIn,
    packetsOut: counters.packetsOut,
    packetsLost,
    lossBase,
    lossPct: percent(packetsLost, lossBase),
    recentLossPct,
    inKBps,
    outKBps,
    datagrams: datagramStats(t.datagrams),
  };
}

/** Where a {@link LinkStatsSampler} reads from. */
export interface LinkStatsSource {
  /** The browser's connection stats, or null (no getStats, no session, or it failed). */
  transportStats(): Promise<TransportStatsSample | null>;
  own(): OwnCounters;
  now(): number;
}

/** Takes a sample when asked (the page asks once a second) and keeps the latest view. */
export class LinkStatsSampler {
  /** The latest view, or null before the first sample. */
  latest: LinkStatsView | null = null;
  private pending = false;

  constructor(private readonly source: LinkStatsSource) {}

  /**
   * Takes one sample and returns the new view. While a previous `getStats()` is still
   * pending, returns the current view instead of piling up requests.
   */
  async poll(): Promise<LinkStatsView | null> {
    if (this.pending) return this.latest;
    this.pending = true;
    let transport: TransportStatsSample | null;
    try {
      transport = await this.source.transportStats();
    } catch {
      transport = null;
    } finally {
      this.pending = false;
    }
    const sample: LinkSample = { atMs: this.source.now(), transport, own: this.source.own() };
    this.latest = linkStatsView(sample, this.latest);
    return this.latest;
  }
}

/** Bytes as text: "950 B", "12.3 kB", "4.56 MB" (powers of 1000). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(2)} MB`;
}

/** The overlay's lines for the link: rtt, loss, rx, tx. */
export function formatLink(v: LinkStatsView | null): { rtt: string; loss: string; rx: string; tx: string } {
  if (v === null) return { rtt: "-", loss: "-", rx: "-", tx: "-" };
  const rtt =
    v.srttMs === null
      ? "-"
      : `${v.srttMs.toFixed(1)} ± ${(v.rttVarMs ?? 0).toFixed(1)} ms${v.rttSource === "client" ? " (ping)" : ""}`;
  const shown = v.recentLossPct ?? v.lossPct;
  const loss =
    shown === null || v.packetsLost === null
      ? "-"
      : `${shown.toFixed(1)} % (${v.packetsLost} ${v.countersSource === "client" ? "pings" : "pk"} lost)`;
  const unit = v.countersSource === "client" ? "msg" : "pk";
  const rate = (kBps: number | null): string => (kBps === null ? "" : `${kBps.toFixed(2)} kB/s · `);
  return {
    rtt,
    loss,
    rx: `${rate(v.inKBps)}${formatBytes(v.bytesIn)} · ${v.packetsIn} ${unit}`,
    tx: `${rate(v.outKBps)}${formatBytes(v.bytesOut)} · ${v.packetsOut} ${unit}`,
  };
}
