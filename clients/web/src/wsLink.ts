// The WebSocket link to the edge (netcore/WEBSOCKET.md): the fallback where WebTransport
// cannot connect (UDP blocked). One socket carries reliable messages on channel 0 and
// datagrams on channel 1; a datagram the socket cannot take at once is dropped, as a lost
// datagram would be, so acks and pings never queue behind one another.

import { WS_SUBPROTOCOL, WsFrameError, decodeWsMessage, encodeWsMessage, netcoreCloseCode } from "./wsFraming";

/** Unsent bytes above which an outgoing datagram is dropped instead of queued. */
const DATAGRAM_BACKLOG_BYTES = 16 * 1024;
/** Close code for a malformed message (netcore's 250). */
const MALFORMED = 4250;

/** What the link tells its owner. */
export interface WsLinkEvents {
  /** The socket is open: messages can be sent. */
  onOpen(): void;
  /** A message arrived (its body; `datagram` for channel 1). */
  onMessage(body: Uint8Array, datagram: boolean, wireBytes: number): void;
  /** A malformed message arrived (counted; the link closes). */
  onRefused(err: WsFrameError): void;
  /** The socket closed or failed to open; `detail` says why. */
  onClosed(detail: string): void;
}

/** One WebSocket to the edge. */
export class WsLink {
  private readonly socket: WebSocket;
  private ended = false;

  constructor(url: string, private readonly events: WsLinkEvents) {
    const socket = new WebSocket(url, WS_SUBPROTOCOL);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      if (!this.ended) this.events.onOpen();
    };
    socket.onmessage = (ev: MessageEvent) => this.receive(ev.data);
    socket.onclose = (ev: CloseEvent) => this.end(closeText(ev));
    // An error is always followed by a close, which says more.
    socket.onerror = () => undefined;
    this.socket = socket;
  }

  /** Sends a reliable message; the bytes put on the socket, 0 when it is not open. */
  sendReliable(msg: Uint8Array): number {
    if (this.socket.readyState !== WebSocket.OPEN) return 0;
    const bytes = encodeWsMessage("reliable", msg);
    this.socket.send(bytes);
    return bytes.byteLength;
  }

  /** Sends a datagram unless the socket is backed up; the bytes sent, 0 when dropped. */
  sendDatagram(msg: Uint8Array): number {
    if (this.socket.readyState !== WebSocket.OPEN) return 0;
    if (this.socket.bufferedAmount > DATAGRAM_BACKLOG_BYTES) return 0;
    const bytes = encodeWsMessage("datagram", msg);
    this.socket.send(bytes);
    return bytes.byteLength;
  }

  /** Whether messages can be sent now. */
  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes without reporting the end (the owner has moved on). */
  close(reason: string): void {
    this.ended = true;
    try {
      this.socket.close(1000, reason.slice(0, 100));
    } catch {
      // Already closing.
    }
  }

  private receive(data: unknown): void {
    if (this.ended) return;
    let message: ReturnType<typeof decodeWsMessage>;
    try {
      message = decodeWsMessage(data);
    } catch (err) {
      if (!(err instanceof WsFrameError)) throw err;
      this.events.onRefused(err);
      this.socket.close(MALFORMED);
      this.end(`malformed message from the server: ${err.label}`);
      return;
    }
    this.events.onMessage(message.body, message.channel === "datagram", message.body.byteLength + 1);
  }

  private end(detail: string): void {
    if (this.ended) return;
    this.ended = true;
    this.events.onClosed(detail);
  }
}

/** Why a socket closed, in the words of the other transports. */
function closeText(ev: CloseEvent): string {
  const code = netcoreCloseCode(ev.code);
  if (code !== null) return `closed by server (code ${code})`;
  if (ev.code === 1006) return "websocket connection lost";
  return ev.reason ? `closed: ${ev.reason}` : `closed (websocket code ${ev.code})`;
}
