// Session bootstrap over HTTP: who the player is, where the edge is, and a
// development token from the all-in-one server.

/** What `/api/connect-info` answers. */
export interface ConnectInfo {
  /** WebTransport URL of the edge, e.g. "https://127.0.0.1:4433/". */
  webtransportUrl: string;
  /** SHA-256 of the edge's certificate (pinned with serverCertificateHashes), or null. */
  certHash: Uint8Array<ArrayBuffer> | null;
  /** The edge's WebSocket URL (`ws://` or `wss://`), the fallback where WebTransport cannot
   * connect, or null when it offers none. */
  websocketUrl: string | null;
  /** The connect endpoints to move through when the session is lost, tried in turn:
   * `connect_url`, then those of `connect_urls` (e.g. every edge of the region, so that one
   * survives the edge that died); empty when none is given. */
  connectUrls: string[];
}

/** Errors of the HTTP bootstrap, with a short human message. */
export class SessionError extends Error {
  override name = "SessionError";
}

/** localStorage key under which the guest name is kept across reloads. */
export const GUEST_KEY = "starlane.guestName";

/** The subset of Storage the name logic needs (so tests can pass a Map-backed one). */
export interface NameStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * The player's username: `?user=<name>` when given, otherwise a random guest
 * name remembered in `store` so that a reload returns as the same player.
 */
export function resolveUsername(search: string, store: NameStore | null, random: () => number = Math.random): string {
  const fromQuery = new URLSearchParams(search).get("user")?.trim();
  if (fromQuery) return fromQuery;
  let saved: string | null = null;
  try {
    saved = store?.getItem(GUEST_KEY) ?? null;
  } catch {
    saved = null; // storage disabled (private mode, sandboxed iframe)
  }
  if (saved) return saved;
  const name = `guest-${Math.floor(random() * 0x1000000)
    .toString(16)
    .padStart(6, "0")}`;
  try {
    store?.setItem(GUEST_KEY, name);
  } catch {
    // Not persisted; the player gets a new name next time.
  }
  return name;
}

/** Parses a hex string ("ab01...", optionally with ':' separators) into bytes. */
export function parseHexBytes(text: string): Uint8Array<ArrayBuffer> | null {
  const clean = text.replace(/[:\s]/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Validates the JSON of `/api/connect-info`. */
export function parseConnectInfo(json: unknown): ConnectInfo {
  if (typeof json !== "object" || json === null) throw new SessionError("connect-info is not an object");
  const obj = json as Record<string, unknown>;
  const url = obj["webtransport_url"];
  if (typeof url !== "string" || url.length === 0) throw new SessionError("connect-info lacks webtransport_url");
  const hash = obj["cert_hash"];
  let certHash: Uint8Array<ArrayBuffer> | null = null;
  if (typeof hash === "string" && hash.length > 0) {
    certHash = parseHexBytes(hash);
    if (!certHash || certHash.length !== 32) throw new SessionError("connect-info cert_hash is not a hex sha-256");
  }
  const ws = obj["websocket_url"];
  if (ws !== undefined && ws !== null && !(typeof ws === "string" && /^wss?:\/\//.test(ws))) {
    throw new SessionError("connect-info websocket_url is not a ws:// or wss:// url");
  }
  const websocketUrl = typeof ws === "string" ? ws : null;
  const connect = obj["connect_url"];
  const more = obj["connect_urls"];
  if (more !== undefined && !(Array.isArray(more) && more.every((u) => typeof u === "string"))) {
    throw new SessionError("connect-info connect_urls is not a list of strings");
  }
  const listed: string[] = [typeof connect === "string" ? connect : "", ...((more as string[] | undefined) ?? [])];
  const connectUrls = [...new Set(listed.filter((u) => u.length > 0))];
  return { webtransportUrl: url, certHash, websocketUrl, connectUrls };
}

async function fetchJson(url: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new SessionError(`${url}: ${String(err)}`);
  }
  if (!res.ok) throw new SessionError(`${url}: http ${res.status}`);
  try {
    return await res.json();
  } catch {
    throw new SessionError(`${url}: answer is not json`);
  }
}

/** Fetches where to connect. */
export async function fetchConnectInfo(base = ""): Promise<ConnectInfo> {
  return parseConnectInfo(await fetchJson(`${base}/api/connect-info`));
}

/** `url` with `?lost=<lost>` (or `&lost=`) added when `lost` is not null. */
export function withLost(url: string, lost: string | null): string {
  if (lost === null) return url;
  return `${url}${url.includes("?") ? "&" : "?"}lost=${encodeURIComponent(lost)}`;
}

/**
 * Asks a connect endpoint (`POST`, `Authorization: Bearer <token>`; protocol/SPEC.md §17) for
 * the edge to use, naming the edge the client `lost` without a word (`?lost=`, its
 * `webtransport_url`) if any; it answers in the shape of `/api/connect-info`.
 */
export async function fetchConnectEndpoint(url: string, token: string, lost: string | null = null): Promise<ConnectInfo> {
  const init = { method: "POST", headers: { authorization: `Bearer ${token}` } };
  return parseConnectInfo(await fetchJson(withLost(url, lost), init));
}

/** {@link fetchConnectEndpoint} on each of `urls` in turn: the first answer, else the last error. */
export async function fetchConnectEndpoints(urls: readonly string[], token: string, lost: string | null): Promise<ConnectInfo> {
  let last: unknown = new SessionError("no connect endpoint known");
  for (const url of urls) {
    try {
      return await fetchConnectEndpoint(url, token, lost);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** Fetches a development token for `username` from the dev issuer. */
export async function fetchDevToken(username: string, base = ""): Promise<string> {
  const json = await fetchJson(`${base}/api/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username }),
  });
  const token = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["token"] : undefined;
  if (typeof token !== "string" || token.length === 0) throw new SessionError("dev token answer lacks token");
  return token;
}
