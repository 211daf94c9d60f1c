// The connection to the edge: WebTransport (one bidirectional stream carrying
// length-prefixed reliable messages, plus datagrams: ping/pong and any other unreliable
// message), or, where WebTransport cannot connect within WT_FALLBACK_MS (UDP blocked), the
// edge's WebSocket (wsLink.ts), which carries the same messages. After WebTransport failed to
// open, the connection keeps to WebSocket when it moves, for a while (transportPreference.ts
// says how long, and why only a failure to open counts). An abandoned WebTransport attempt is
// closed, even if it opens late (openWithin.ts). When the edge says to move, or the session is
// lost, the connection moves to another edge of the region by itself (resume.ts decides; this file does the I/O):
// it asks the connect endpoints in turn, opens a new session pinned to the answer's
// certificate hash, says Resume, and sends the unanswered commands again. A session that
// hears nothing for SILENCE_TIMEOUT_MS counts as lost (silence.ts).

import { encodeClientMsg, decodeServerMsg, PROTOCOL_VERSION } from "./protocol";
import type { ClientMsg, Command, ServerMsg, Hex } from "./protocol";
import { frame, FrameReader } from "./protocol/framing";
import { type ConnectInfo, fetchConnectEndpoints } from "./session";
import { type ReconnectPlan, ResumeState, WELCOME_TIMEOUT_MS } from "./resume";
import { SILENCE_CHECK_MS, SilenceWatch } from "./silence";
import { RateMeter, RttTracker } from "./stats";
import type { OwnCounters, TransportStatsSample } from "./linkStats";
import { rejectReasonText } from "./codes";
import { WsLink } from "./wsLink";
import { openWithin } from "./openWithin";
import { TransportPreference } from "./transportPreference";

/** Connection state as shown on the page and exposed to tests. */
export type ConnState = "connecting" | "connected" | "rejected" | "closed";

/** Interval between ping datagrams. */
const PING_INTERVAL_MS = 1000;

/** How long WebTransport may take to open before the connection falls back to WebSocket
 * (where the edge offers one): within 3 s of the start the player is on the fallback. */
export const WT_FALLBACK_MS = 2_000;

/** Which transport carries the session. */
export type TransportKind = "webtransport" | "websocket";

/** Why a WebTransport attempt was not used. */
interface WebTransportFailure {
  detail: string;
  /** Its session had opened (`ready`): the network passes WebTransport. */
  sessionOpened: boolean;
}

/** State detail while the client moves to another edge. */
export const MOVING_TEXT = "moving to another server…";

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

  /** The transport of the current session (null before the first opens). */
  transportKind: TransportKind | null = null;

  private transport: WebTransport | null = null;
  /** The WebSocket of the current session, when it is on the fallback. */
  private socket: WsLink | null = null;
  /** Whether sessions go straight to the WebSocket (after WebTransport failed to open). */
  private readonly preference = new TransportPreference();
  private streamWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private datagramWriter: WritableStreamDefaultWriter<Uint8Array> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  /** Checks the session for silence while it is welcomed. */
  private silenceTimer: ReturnType<typeof setInterval> | null = null;
  private silence: SilenceWatch | null = null;
  private frames = new FrameReader();
  /** Drain and resume state (null before `open`). */
  private resumeState: ResumeState | null = null;
  /** Bumped for every session opened or dropped: events of an older session are ignored. */
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private welcomeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly events: NetEvents) {}

  /** The drain and resume state (null before `open`). */
  get resume(): ResumeState | null {
    return this.resumeState;
  }

  /**
   * Connects, sends Hello with `token` and starts reading. `connectUrls` are the connect
   * endpoints to move through (in turn) when the session is lost (a Move may name another).
   * Never throws.
   */
  async open(info: ConnectInfo, token: string, connectUrls: readonly string[] = []): Promise<void> {
    this.resumeState = new ResumeState(token, connectUrls);
    await this.attach(info, { type: "hello", version: PROTOCOL_VERSION, token });
  }

  /** Opens a session to `info` whose first message is `first`, dropping the current one. */
  private async attach(info: ConnectInfo, first: ClientMsg): Promise<void> {
    this.detach();
    const gen = this.generation;
    this.frames = new FrameReader();
    this.resumeState?.at(info.webtransportUrl);
    if (this.resumeState?.phase !== "connecting") this.setState("connecting", null);
    const fallback = info.websocketUrl;
    const noWebTransport = typeof WebTransport === "undefined";
    if (fallback && (noWebTransport || this.preference.preferWebSocket(nowMs()))) {
      this.attachWebSocket(gen, fallback, first);
      return;
    }
    if (noWebTransport) {
      this.onClosed(gen, "this browser offers no WebTransport (it needs a secure context: https or localhost)");
      return;
    }
    const failure = await this.attachWebTransport(gen, info, first, fallback !== null);
    // A superseded attempt says nothing about the network: our own move or close cut it short.
    if (gen !== this.generation) return;
    // A session that opened but gave no stream (dropped, or too slow) still shows the network
    // passes WebTransport: this attempt falls back, the next one tries WebTransport again.
    this.preference.record(failure === null || failure.sessionOpened ? "opened" : "failedToOpen", nowMs());
    if (failure === null) return;
    if (fallback) {
      this.attachWebSocket(gen, fallback, first);
      return;
    }
    this.onClosed(gen, failure.detail);
  }

  /**
   * Opens a WebTransport session; null once it is open and in use, else why not (the attempt
   * is then closed and forgotten). With `bounded`, gives up after WT_FALLBACK_MS.
   */
  private async attachWebTransport(
    gen: number,
    info: ConnectInfo,
    first: ClientMsg,
    bounded: boolean,
  ): Promise<WebTransportFailure | null> {
    let wt: WebTransport;
    try {
      const options: WebTransportOptions = {};
      if (info.certHash) options.serverCertificateHashes = [{ algorithm: "sha-256", value: info.certHash }];
      wt = new WebTransport(info.webtransportUrl, options);
    } catch (err) {
      return { detail: `connect failed: ${errorText(err)}`, sessionOpened: false };
    }
    this.transport = wt;
    this.transportKind = "webtransport";
    let sessionOpened = false;
    let inUse = false;
    /** Set when the attempt is given up: a session that opens after it is closed at once. */
    let abandoned = false;
    // Only the session in use reports its end: until then a failure is the attempt's, reported
    // by `attach` (which may fall back), and an abandoned session's end concerns nobody.
    wt.closed.then(
      (c) => inUse && this.transport === wt && this.onClosed(gen, c.reason ? `closed: ${c.reason}` : "closed by server"),
      (err: unknown) => inUse && this.transport === wt && this.onClosed(gen, `closed: ${errorText(err)}`),
    );
    const opening = (async () => {
      await wt.ready;
      sessionOpened = true;
      // Opened after the attempt was given up (the close at that moment did not stop it).
      if (abandoned) closeQuietly(wt, "opened too late");
      return wt.createBidirectionalStream();
    })();
    const limit = bounded ? WT_FALLBACK_MS : null;
    const result = await openWithin(opening, limit, () => closeQuietly(wt, "opened too late"));
    if (result.kind !== "opened" || gen !== this.generation) {
      abandoned = true;
      if (this.transport === wt) this.transport = null;
      closeQuietly(wt, gen === this.generation ? "falling back to websocket" : "moving");
      if (result.kind === "expired") return { detail: `webtransport did not open within ${WT_FALLBACK_MS} ms`, sessionOpened };
      if (result.kind === "failed") return { detail: `connect failed: ${errorText(result.error)}`, sessionOpened };
      return null; // Opened, but for a session dropped meanwhile: `attach` sees the generation.
    }
    const stream = result.value;
    inUse = true;
    this.streamWriter = stream.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
    this.datagramWriter = datagramWritable(wt.datagrams).getWriter() as WritableStreamDefaultWriter<Uint8Array>;
    this.sendReliable(first);
    void this.readStream(gen, stream.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>);
    void this.readDatagrams(gen, wt.datagrams.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>);
    return null;
  }

  /** Opens the session over the edge's WebSocket at `url`. */
  private attachWebSocket(gen: number, url: string, first: ClientMsg): void {
    this.transportKind = "websocket";
    const link = new WsLink(url, {
      onOpen: () => {
        if (gen === this.generation) this.sendReliable(first);
      },
      onMessage: (body, datagram, wireBytes) => {
        if (gen !== this.generation) return;
        this.countIn(wireBytes);
        this.handle(body, datagram);
      },
      onRefused: () => {
        this.drops.decode++;
      },
      onClosed: (detail) => this.onClosed(gen, detail),
    });
    this.socket = link;
  }

  /** Drops the current session (if any) without reporting its end. */
  private detach(): void {
    this.generation++;
    this.stopPing();
    this.clearWelcomeTimer();
    this.streamWriter = null;
    this.datagramWriter = null;
    const old = this.transport;
    this.transport = null;
    if (old) closeQuietly(old, "moving");
    this.socket?.close("moving");
    this.socket = null;
  }

  /** Sends a move command; returns false when not connected. */
  sendMove(seq: number, unit: number, to: Hex): boolean {
    return this.sendCommand(seq, { type: "move", unit, to: { q: to.q, r: to.r } });
  }

  /** Sends a command numbered `seq`; returns false when not connected. */
  sendCommand(seq: number, command: Command): boolean {
    if (this.state !== "connected") return false;
    if (!this.sendReliable({ type: "command", seq, command })) return false;
    this.resumeState?.sent(seq, command);
    return true;
  }

  /** Closes the session from our side (no reconnection). */
  close(reason = "closed by client"): void {
    this.resumeState?.stop(reason);
    this.clearRetryTimer();
    const gen = this.generation;
    this.stopPing();
    try {
      this.transport?.close({ closeCode: 0, reason });
    } catch {
      // Already closed.
    }
    this.socket?.close(reason);
    this.onClosed(gen, reason);
    // A session still opening (or its fallback) belongs to what was just closed: it must not
    // connect and say Hello after the close.
    this.generation++;
  }

  /** Marks the session as closed because setting it up failed before `open`. */
  fail(detail: string): void {
    this.onClosed(this.generation, detail);
  }

  /** Runs `plan`: drops the current session and tries again after the plan's delay. */
  private schedule(plan: ReconnectPlan): void {
    this.detach();
    this.clearRetryTimer();
    this.setState("connecting", MOVING_TEXT);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.runAttempt();
    }, plan.delayMs);
  }

  /** One attempt: ask the connect endpoint, open a session there, say Resume (or Hello). */
  private async runAttempt(): Promise<void> {
    const resume = this.resumeState;
    const attempt = resume?.beginAttempt();
    if (!resume || !attempt) return;
    const gen = this.generation;
    let info: ConnectInfo;
    try {
      info = await fetchConnectEndpoints(attempt.connectUrls, resume.token, attempt.lost);
    } catch (err) {
      if (gen === this.generation) this.afterFailure(resume.attemptFailed(`connect endpoint: ${errorText(err)}`));
      return;
    }
    if (gen !== this.generation || resume.phase !== "connecting") return;
    // `attach` drops the old session before its first await: the timer is for the new one.
    const opening = this.attach(info, attempt.first);
    const opened = this.generation;
    this.welcomeTimer = setTimeout(() => {
      this.welcomeTimer = null;
      if (opened === this.generation && resume.phase === "connecting") {
        this.afterFailure(resume.attemptFailed(`no welcome within ${WELCOME_TIMEOUT_MS} ms`));
      }
    }, WELCOME_TIMEOUT_MS);
    await opening;
  }

  /** After a failed attempt: the next one, or the end of the session. */
  private afterFailure(plan: ReconnectPlan | null): void {
    if (plan) {
      this.schedule(plan);
      return;
    }
    this.detach();
    this.setState("closed", this.resumeState?.lastError ?? "could not reconnect");
  }

  private sendReliable(msg: ClientMsg): boolean {
    if (this.socket) {
      const sent = this.socket.sendReliable(encodeClientMsg(msg));
      if (sent > 0) this.countOut(sent);
      return sent > 0;
    }
    const writer = this.streamWriter;
    if (!writer) return false;
    const bytes = frame(encodeClientMsg(msg));
    this.countOut(bytes.byteLength);
    const gen = this.generation;
    writer.write(bytes).catch((err: unknown) => this.onClosed(gen, `write failed: ${errorText(err)}`));
    return true;
  }

  /**
   * Sends `msg` as one unreliable datagram (e.g. an Ack); returns false when there is no
   * datagram writer. A datagram the browser drops is simply lost, like any datagram.
   */
  sendDatagram(msg: ClientMsg): boolean {
    if (this.socket) {
      if (!this.socket.open) return false;
      const sent = this.socket.sendDatagram(encodeClientMsg(msg));
      if (sent > 0) this.countOut(sent);
      return true;
    }
    const writer = this.datagramWriter;
    if (!writer) return false;
    const bytes = encodeClientMsg(msg);
    this.countOut(bytes.byteLength);
    writer.write(bytes).catch(() => undefined);
    return true;
  }

  private sendPing(): void {
    if (this.state !== "connected" || !(this.datagramWriter || this.socket?.open)) return;
    const nonce = this.rtt.ping(nowMs());
    // A lost or refused datagram is just a lost ping.
    this.sendDatagram({ type: "ping", nonce });
  }

  private async readStream(gen: number, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (gen !== this.generation) return;
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
        for (const bytes of messages) {
          // A message may have moved the client to another session.
          if (gen !== this.generation) return;
          this.handle(bytes, false);
        }
      }
      this.onClosed(gen, "stream ended");
    } catch (err) {
      this.onClosed(gen, `stream error: ${errorText(err)}`);
    }
  }

  private async readDatagrams(gen: number, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || gen !== this.generation) return;
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
    const now = nowMs();
    this.silence?.heard(now);
    this.rx.add(bytes, now);
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
    const resume = this.resumeState;
    switch (msg.type) {
      case "pong":
        this.rtt.pong(msg.nonce, now);
        return;
      case "welcome": {
        this.clearWelcomeTimer();
        const again = resume?.welcomed(now) ?? [];
        this.setState("connected", null);
        this.startPing();
        this.events.onMessage(msg, now);
        // The commands not answered before the move, with their seqs, in order.
        for (const command of again) this.sendReliable(command);
        return;
      }
      case "reject": {
        this.stopPing();
        const plan = resume?.onReject(msg.reason, now) ?? null;
        this.events.onMessage(msg, now);
        if (plan) this.schedule(plan);
        else if (resume?.reconnecting !== true) this.setState("rejected", rejectReasonText(msg.reason));
        return;
      }
      case "move": {
        const plan = resume?.onMove(msg.reason, msg.connectUrl, msg.ticket, now) ?? null;
        this.events.onMessage(msg, now);
        if (plan) this.schedule(plan);
        return;
      }
      case "resumeTicket":
        resume?.onTicket(msg.ticket);
        break;
      default:
        break;
    }
    this.events.onMessage(msg, now);
  }

  /** Pings and the silence watch of a welcomed session. */
  private startPing(): void {
    this.stopPing();
    this.sendPing();
    this.pingTimer = setInterval(() => this.sendPing(), PING_INTERVAL_MS);
    this.silence = new SilenceWatch(nowMs());
    this.silenceTimer = setInterval(() => this.checkSilence(), SILENCE_CHECK_MS);
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.silenceTimer !== null) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
    this.silence = null;
  }

  /** A welcomed session that heard nothing for SILENCE_TIMEOUT_MS is lost: move, or close. */
  private checkSilence(): void {
    const now = nowMs();
    const resume = this.resumeState;
    if (!this.silence?.check(now) || resume?.phase !== "playing") return;
    const plan = resume.onSilence(now);
    if (plan) {
      this.schedule(plan);
      return;
    }
    this.detach();
    this.setState("closed", resume.lastError ?? "the server went silent");
  }

  /** Session `gen` ended (a stale generation's end is ignored). */
  private onClosed(gen: number, detail: string): void {
    if (gen !== this.generation) return;
    this.stopPing();
    this.streamWriter = null;
    this.datagramWriter = null;
    this.socket = null;
    const plan = this.resumeState?.onClose(detail, nowMs()) ?? null;
    if (plan) {
      this.schedule(plan);
      return;
    }
    if (this.resumeState?.reconnecting) return;
    this.clearWelcomeTimer();
    // A rejection stays a rejection even though the transport closes after it.
    if (this.state === "rejected" || this.state === "closed") return;
    this.setState("closed", this.resumeState?.phase === "ended" ? (this.resumeState.lastError ?? detail) : detail);
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearWelcomeTimer(): void {
    if (this.welcomeTimer !== null) clearTimeout(this.welcomeTimer);
    this.welcomeTimer = null;
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

/** Closes `wt`, which may still be opening or be closed already. */
function closeQuietly(wt: WebTransport, reason: string): void {
  try {
    wt.close({ closeCode: 0, reason });
  } catch {
    // Never opened, or closed already.
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
