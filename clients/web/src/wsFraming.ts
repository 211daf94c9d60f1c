// The WebSocket link's message format (netcore/WEBSOCKET.md), the browsers' fallback where
// UDP is blocked: every message is binary, `[channel u8][body]`; channel 0 carries one
// reliable client-protocol message, channel 1 one datagram. Checked against
// netcore/vectors/websocket.json.

/** The subprotocol the client asks for; the edge refuses a handshake without it. */
export const WS_SUBPROTOCOL = "starlane.v1";
/** Largest body of a reliable message. */
export const MAX_RELIABLE_BODY = 65_536;
/** Largest body of a datagram. */
export const MAX_DATAGRAM_BODY = 1_100;
/** WebSocket close codes 4000-4255 carry netcore's one-byte close codes. */
export const CLOSE_CODE_BASE = 4000;

/** What a message's body is. */
export type WsChannel = "reliable" | "datagram";

/** Why a received message is refused (the labels of WEBSOCKET.md, "Ignoring a message"). */
export type WsFrameErrorLabel = "text" | "empty" | "unknown_channel" | "too_large";

/** A refused message; the link is closed with 4250 (malformed). */
export class WsFrameError extends Error {
  constructor(readonly label: WsFrameErrorLabel) {
    super(`websocket message refused: ${label}`);
    this.name = "WsFrameError";
  }
}

/** The body limit of `channel`. */
export function maxBody(channel: WsChannel): number {
  return channel === "reliable" ? MAX_RELIABLE_BODY : MAX_DATAGRAM_BODY;
}

/** One message: the channel byte, then `body`. */
export function encodeWsMessage(channel: WsChannel, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(1 + body.length);
  out[0] = channel === "reliable" ? 0 : 1;
  out.set(body, 1);
  return out;
}

/** A received message's channel and body; throws {@link WsFrameError} for a bad one. */
export function decodeWsMessage(data: unknown): { channel: WsChannel; body: Uint8Array } {
  if (typeof data === "string") throw new WsFrameError("text");
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
  if (bytes.length === 0) throw new WsFrameError("empty");
  const first = bytes[0];
  if (first !== 0 && first !== 1) throw new WsFrameError("unknown_channel");
  const channel: WsChannel = first === 0 ? "reliable" : "datagram";
  const body = bytes.subarray(1);
  if (body.length > maxBody(channel)) throw new WsFrameError("too_large");
  return { channel, body };
}

/** The netcore close code a WebSocket close code carries, or null when it is not one. */
export function netcoreCloseCode(wsCode: number): number | null {
  const c = wsCode - CLOSE_CODE_BASE;
  return c >= 0 && c <= 255 ? c : null;
}
