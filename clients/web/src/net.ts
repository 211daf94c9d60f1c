// The WebTransport connection to the edge: one bidirectional stream carrying
// length-prefixed reliable messages, plus datagrams (ping/pong and any other
// unreliable message).

import { encodeClientMsg, decodeServerMsg, PROTOCOL_VERSION } from "./protocol";
import type { ClientMsg, ServerMsg, Hex } from "./protocol";
import { frame, FrameReader } from "./protocol/framing";
import type { ConnectInfo } from "./session";
import { RateMeter, RttTracker } from "./stats";
import type { OwnCounters, TransportStatsSample } from "./linkStats";
import { rejectReasonText } from "./codes";

/** Connection state as shown on the page and exposed to tests. */
export type ConnState = "connecting" | "connected" | "rejected" | "closed";

/** Interval between ping datagrams. */
const PING_INTERVAL_MS = 1000;

/** What the connection tells its owner. */
export interface NetEvents {
  /** A decoded server message (pongs are consumed by the connection itself). */
  onMessage(msg: ServerMsg, now: number): void;
  /** The connection state changed; `detail` says why for rejected/closed. */
  onState(state: ConnState, detail: string | null): void;
}

/** Counters of received input that was dropped. */
export interface NetDrops {
  /** Messages that failed to decode. */
  decode: number;
  /** Streams closed because a frame exceeded the size limit. */
  oversized: number;
  /** Datagram-only messages (EntityPacket) that arrived on the stream (SPEC.md §9 check 11). */
  wrongChannel: number;
}

/** Milliseconds on a monotonic clock. */
export function nowMs(): number {
  return performance.now();
}

/** One session with the edge over WebTransport. */
export class Connection {
  /** Current state. */
  state: ConnState = "connecting";
  /** Why the connection was rejected or closed, if it was. */
  detail: string | null = null;
  /** Round-trip time from ping datagrams. */
  readonly rtt = new RttTracker();
  /** Received bytes (stream chunks and datagrams) per second. */
  readonly rx = new RateMeter(1000);
  /** Dropped input. */
  readonly drops: NetDrops = { decode: 0, oversized: 0, wrongChannel: 0 };
  /** Payload bytes and messages each way (stream chunks and writes, datagrams). */
  readonly traffic = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };

  private transport: WebTransport | null = null;
  private streamWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private datagramWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private readonly frames = new FrameReader();

  constructor(private readonly events: NetEvents) {}

  /** Connects, sends Hello with `token` and starts reading. Never throws. */
  async open(info: ConnectInfo, token: string): Promise<void> {
    this.setState("connecting", null);
    if (typeof WebTransport === "undefined") {
      this.onClosed("this browser offers no WebTransport (it needs a secure context: https or localhost)");
      return;
    }
    try {
      const options: WebTransportOptions = {};
      if (info.certHash) options.serverCertificateHashes = [{ algorithm: "sha-256", value: info.certHash }];
      const wt = new WebTransport(info.webtransportUrl, options);
      this.transport = wt;
      wt.closed.then(
        (c) => this.onClosed(c.reason ? `closed: ${c.reason}` : "closed by server"),
        (err: unknown) => this.onClosed(`closed: ${errorText(err)}`),
      );
      await wt.ready;
      const stream = await wt.createBidirectionalStream();
      this.streamWriter = stream.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
      this.datagramWriter = datagramWritable(wt.datagrams).getWriter() as WritableStreamDefaultWriter<Uint8Array>;
      this.sendReliable({ type: "hello", version: PROTOCOL_VERSION, token });
      void this.readStream(stream.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>);
      void this.readDatagrams(wt.datagrams.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>);
    } catch (err) {
      this.onClosed(`connect failed: ${errorText(err)}`);
    }
  }

  /** Sends a move command; returns false when not connected. */
  sendMove(seq: number, unit: number, to: Hex): boolean {
    if (this.state !== "connected") return false;
    return this.sendReliable({ type: "command", seq, command: { type: "move", unit, to } });
  }

  /** Closes the session from our side. */
  close(reason = "closed by client"): void {
    this.stopPing();
    try {
      this.transport?.close({ closeCode: 0, reason });
    } catch {
      // Already closed.
    }
    this.onClosed(reason);
  }

  /** Marks the session as closed because setting it up failed before `open`. */
  fail(detail: string): void {
    this.onClosed(detail);
  }

  private sendReliable(msg: ClientMsg): boolean {
    const writer = this.streamWriter;
    if (!writer) return false;
    const bytes = frame(encodeClientMsg(msg));
    this.countOut(bytes.byteLength);
    writer.write(bytes).catch((err: unknown) => this.onClosed(`write failed: ${errorText(err)}`));
    return true;
  }

  /**
   * Sends `msg` as one unreliable datagram (e.g. an Ack); returns false when there is no
   * datagram writer. A datagram the browser drops is simply lost, like any datagram.
   */
  sendDatagram(msg: ClientMsg): boolean {
    const writer = this.datagramWriter;
    if (!writer) return false;
    const bytes = encodeClientMsg(msg);
    this.countOut(bytes.byteLength);
    writer.write(bytes).catch(() => undefined);
    return true;
  }

  private sendPing(): void {
    if (this.state !== "connected" || !this.datagramWriter) return;
    const nonce = this.rtt.ping(nowMs());
    // A lost or refused datagram is just a lost ping.
    this.sendDatagram({ type: "ping", nonce });
  }

  private async readStream(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (!value) continue;
        this.countIn(value.byteLength);
        let messages: Uint8Array[];
        try {
          messages = this.frames.push(value);
        } catch (err) {
          // The stream cannot be resynchronised after a bad length prefix.
          this.drops.oversized++;
          this.close(`bad frame: ${errorText(err)}`);
          return;
        }
        for (const bytes of messages) this.handle(bytes, false);
      }
      this.onClosed("stream ended");
    } catch (err) {
      this.onClosed(`stream error: ${errorText(err)}`);
    }
  }

  private async readDatagrams(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        if (!value) continue;
        this.countIn(value.byteLength);
        this.handle(value, true);
      }
    } catch {
      // The transport's closed promise reports why.
    }
  }

  /**
   * The browser's statistics of the QUIC connection (`WebTransport.getStats()`), or null
   * where the browser has no such method, before the session exists, or when it fails.
   */
  async transportStats(): Promise<TransportStatsSample | null> {
    const wt = this.transport as (WebTransport & { getStats?: () => Promise<unknown> }) | null;
    if (!wt || typeof wt.getStats !== "function") return null;
    try {
      const stats = await wt.getStats();
      return typeof stats === "object" && stats !== null ? (stats as TransportStatsSample) : null;
    } catch {
      return null;
    }
  }

  /** The connection's own counts, for when the browser gives no statistics. */
  ownCounters(): OwnCounters {
    return {
      srttMs: this.rtt.smoothedMs,
      rttVarMs: this.rtt.varMs,
      ...this.traffic,
      pingsAnswered: this.rtt.answered,
      pingsLost: this.rtt.lost,
    };
  }

  private countIn(bytes: number): void {
    this.rx.add(bytes, nowMs());
    this.traffic.bytesIn += bytes;
    this.traffic.messagesIn++;
  }

  private countOut(bytes: number): void {
    this.traffic.bytesOut += bytes;
    this.traffic.messagesOut++;
  }

  private handle(bytes: Uint8Array, datagram: boolean): void {
    let msg: ServerMsg;
    try {
      msg = decodeServerMsg(bytes);
    } catch {
      this.drops.decode++;
      return;
    }
    if (msg.type === "entityPacket" && !datagram) {
      this.drops.wrongChannel++;
      return;
    }
    const now = nowMs();
    switch (msg.type) {
      case "pong":
        this.rtt.pong(msg.nonce, now);
        return;
      case "welcome":
        this.setState("connected", null);
        this.startPing();
        break;
      case "reject":
        this.stopPing();
        this.setState("rejected", rejectReasonText(msg.reason));
        break;
      default:
        break;
    }
    this.events.onMessage(msg, now);
  }

  private startPing(): void {
    this.stopPing();
    this.sendPing();
    this.pingTimer = setInterval(() => this.sendPing(), PING_INTERVAL_MS);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private onClosed(detail: string): void {
    this.stopPing();
    this.streamWriter = null;
    this.datagramWriter = null;
    // A rejection stays a rejection even though the transport closes after it.
    if (this.state === "rejected" || this.state === "closed") return;
    this.setState("closed", detail);
  }

  private setState(state: ConnState, detail: string | null): void {
    if (this.state === state && this.detail === detail) return;
    this.state = state;
    this.detail = detail;
    this.events.onState(state, detail);
  }
}

/** The datagram send stream: `createWritable()` where the browser has it, else `writable`. */
function datagramWritable(d: WebTransportDatagramDuplexStream): WritableStream {
  const withCreate = d as WebTransportDatagramDuplexStream & { createWritable?: () => WritableStream };
  return typeof withCreate.createWritable === "function" ? withCreate.createWritable() : d.writable;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
