// The WebSocket fallback of net.ts's Connection with fake WebTransport and WebSocket classes:
// which transport each session takes, and what becomes of an abandoned WebTransport attempt.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Connection, WT_FALLBACK_MS, type ConnState } from "../src/net";
import type { ConnectInfo } from "../src/session";
import { WS_PREFERENCE_MS } from "../src/transportPreference";
import { watchUnhandled } from "./unhandled";

/** A WebTransport whose opening the test drives. */
class FakeWebTransport {
  static made: FakeWebTransport[] = [];
  /** Whether close() while connecting aborts the handshake (as the spec says); when false,
   * the session may still open after it, as a handshake already under way might. */
  static closeAborts = true;
  readonly ready: Promise<void>;
  readonly closed: Promise<{ closeCode?: number; reason?: string }>;
  readonly datagrams = { readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() };
  /** The reasons close() was called with. */
  readonly closes: string[] = [];
  streams = 0;
  private phase: "connecting" | "open" | "closed" = "connecting";
  private settle!: { ready(): void; fail(e: unknown): void; closed(reason: string): void };

  constructor(readonly url: string) {
    let readyRes!: () => void;
    let readyRej!: (e: unknown) => void;
    let closedRes!: (c: { reason: string }) => void;
    let closedRej!: (e: unknown) => void;
    this.ready = new Promise<void>((res, rej) => ((readyRes = res), (readyRej = rej)));
    this.closed = new Promise((res, rej) => ((closedRes = res), (closedRej = rej)));
    this.settle = {
      ready: readyRes,
      fail: (e) => (readyRej(e), closedRej(e)),
      closed: (reason) => closedRes({ reason }),
    };
    FakeWebTransport.made.push(this);
  }

  /** The server accepts the session. */
  open(): void {
    if (this.phase !== "connecting") return;
    this.phase = "open";
    this.settle.ready();
  }

  /** The handshake fails (or is aborted). */
  fail(why: string): void {
    if (this.phase !== "connecting") return;
    this.phase = "closed";
    this.settle.fail(new Error(why));
  }

  /** The server ends an open session. */
  drop(reason: string): void {
    if (this.phase !== "open") return;
    this.phase = "closed";
    this.settle.closed(reason);
  }

  close(info?: { reason?: string }): void {
    this.closes.push(info?.reason ?? "");
    if (this.phase === "connecting" && FakeWebTransport.closeAborts) this.fail("aborted by close()");
    else if (this.phase === "open") this.drop(info?.reason ?? "");
  }

  async createBidirectionalStream(): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }> {
    if (this.phase !== "open") throw new Error("session is not open");
    this.streams++;
    return { readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() };
  }
}

/** A WebSocket that never opens (the test only asks which transport was chosen). */
class FakeWebSocket {
  static readonly OPEN = 1;
  static made: string[] = [];
  readyState = 0;
  binaryType = "blob";
  bufferedAmount = 0;
  onopen: (() => void) | null = null;
  onmessage: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.made.push(url);
  }
  send(): void {}
  close(): void {}
}

function edge(n: number, websocket = true): ConnectInfo {
  return {
    webtransportUrl: `https://edge${n}:4433/`,
    certHash: null,
    websocketUrl: websocket ? `ws://edge${n}:8081/ws` : null,
    connectUrls: [],
  };
}

function connection(): { conn: Connection; states: [ConnState, string | null][] } {
  const states: [ConnState, string | null][] = [];
  const conn = new Connection({ onMessage: () => undefined, onState: (s, d) => void states.push([s, d]) });
  return { conn, states };
}

/** The latest WebTransport made. */
function lastWt(): FakeWebTransport {
  const wt = FakeWebTransport.made.at(-1);
  if (!wt) throw new Error("no WebTransport was made");
  return wt;
}

/** Lets pending promise reactions run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe("connection: WebSocket fallback", () => {
  beforeEach(() => {
    FakeWebTransport.made = [];
    FakeWebTransport.closeAborts = true;
    FakeWebSocket.made = [];
    vi.stubGlobal("WebTransport", FakeWebTransport);
    vi.stubGlobal("WebSocket", FakeWebSocket);
    // performance.now drives the preference's interval; setImmediate stays real (watchUnhandled).
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("falls back after WT_FALLBACK_MS, and the next edge within the interval goes straight to the WebSocket", async () => {
    const { conn } = connection();
    void conn.open(edge(1), "token");
    await vi.advanceTimersByTimeAsync(WT_FALLBACK_MS - 1);
    expect(conn.transportKind).toBe("webtransport");
    expect(FakeWebSocket.made).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(conn.transportKind).toBe("websocket");
    expect(FakeWebSocket.made).toEqual(["ws://edge1:8081/ws"]);
    expect(lastWt().closes).toEqual(["falling back to websocket"]);

    // Moving to another edge a minute later: no WebTransport attempt, no 2 s wait.
    await vi.advanceTimersByTimeAsync(60_000);
    void conn.open(edge(2), "token");
    await settle();
    expect(FakeWebTransport.made).toHaveLength(1);
    expect(FakeWebSocket.made).toEqual(["ws://edge1:8081/ws", "ws://edge2:8081/ws"]);
  });

  it("tries WebTransport again once the preference has expired", async () => {
    const { conn } = connection();
    void conn.open(edge(1), "token");
    await vi.advanceTimersByTimeAsync(WT_FALLBACK_MS);
    expect(conn.transportKind).toBe("websocket");
    await vi.advanceTimersByTimeAsync(WS_PREFERENCE_MS);
    void conn.open(edge(2), "token");
    await settle();
    expect(FakeWebTransport.made.map((wt) => wt.url)).toEqual(["https://edge1:4433/", "https://edge2:4433/"]);
    lastWt().open();
    await settle();
    expect(conn.transportKind).toBe("webtransport");
    expect(lastWt().streams).toBe(1);
    expect(FakeWebSocket.made).toEqual(["ws://edge1:8081/ws"]);
  });

  it("a handshake that fails at once falls back at once and sticks to the WebSocket", async () => {
    const { conn, states } = connection();
    void conn.open(edge(1), "token");
    lastWt().fail("connection refused");
    await settle();
    expect(conn.transportKind).toBe("websocket");
    // The failed handshake's `closed` is the attempt's, not the end of the session.
    expect(states.map(([s]) => s)).not.toContain("closed");
    void conn.open(edge(2), "token");
    await settle();
    expect(FakeWebTransport.made).toHaveLength(1);
    expect(FakeWebSocket.made).toEqual(["ws://edge1:8081/ws", "ws://edge2:8081/ws"]);
  });

  it("after a WebTransport session that opened and dropped, the next session tries WebTransport", async () => {
    const { conn, states } = connection();
    void conn.open(edge(1), "token");
    lastWt().open();
    await settle();
    expect(conn.transportKind).toBe("webtransport");
    lastWt().drop("edge restarting");
    await settle();
    expect(states.at(-1)).toEqual(["closed", "closed: edge restarting"]);
    void conn.open(edge(2), "token");
    await settle();
    expect(FakeWebTransport.made).toHaveLength(2);
    expect(conn.transportKind).toBe("webtransport");
    expect(FakeWebSocket.made).toEqual([]);
  });

  it("a session that opened but dropped before its stream falls back once, and does not stick", async () => {
    const { conn } = connection();
    void conn.open(edge(1), "token");
    const wt = lastWt();
    wt.open();
    wt.drop("edge draining");
    await settle();
    // This attempt takes the WebSocket (no stream came), but WebTransport did open: the
    // network passes it, so the next edge is tried over WebTransport again.
    expect(conn.transportKind).toBe("websocket");
    void conn.open(edge(2), "token");
    await settle();
    expect(FakeWebTransport.made).toHaveLength(2);
    expect(FakeWebSocket.made).toEqual(["ws://edge1:8081/ws"]);
  });

  it("an abandoned attempt that fails late leaves no unhandled rejection", async () => {
    const watch = watchUnhandled();
    FakeWebTransport.closeAborts = false;
    const { conn, states } = connection();
    void conn.open(edge(1), "token");
    await vi.advanceTimersByTimeAsync(WT_FALLBACK_MS);
    expect(conn.transportKind).toBe("websocket");
    lastWt().fail("handshake timed out");
    await settle();
    expect(await watch.stop()).toEqual([]);
    expect(conn.transportKind).toBe("websocket");
    expect(states.map(([s]) => s)).not.toContain("closed");
  });

  it("an abandoned attempt that opens late is closed, and does not take over the session", async () => {
    const watch = watchUnhandled();
    FakeWebTransport.closeAborts = false;
    const { conn, states } = connection();
    void conn.open(edge(1), "token");
    await vi.advanceTimersByTimeAsync(WT_FALLBACK_MS);
    const wt = lastWt();
    expect(wt.closes).toEqual(["falling back to websocket"]);
    wt.open();
    await settle();
    expect(wt.closes).toEqual(["falling back to websocket", "opened too late"]);
    expect(wt.streams).toBe(0);
    expect(conn.transportKind).toBe("websocket");
    expect(states.map(([s]) => s)).not.toContain("closed");
    expect(await watch.stop()).toEqual([]);
  });

  it("closing the connection while WebTransport opens does not fall back afterwards", async () => {
    const { conn, states } = connection();
    void conn.open(edge(1), "token");
    conn.close("player left");
    await vi.advanceTimersByTimeAsync(WT_FALLBACK_MS);
    expect(FakeWebSocket.made).toEqual([]);
    expect(states.at(-1)).toEqual(["closed", "player left"]);
    // Our own close is not the network's failure: the next session tries WebTransport.
    void conn.open(edge(2), "token");
    await settle();
    expect(FakeWebTransport.made).toHaveLength(2);
  });

  it("without a WebSocket to fall back to, a failed handshake closes the session", async () => {
    const { conn, states } = connection();
    void conn.open(edge(1, false), "token");
    lastWt().fail("connection refused");
    await settle();
    expect(states.at(-1)).toEqual(["closed", "connect failed: connection refused"]);
  });
});
