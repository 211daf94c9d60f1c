import { afterEach, describe, expect, it, vi } from "vitest";
import {
  GUEST_KEY,
  fetchConnectEndpoints,
  parseConnectInfo,
  parseHexBytes,
  resolveUsername,
  withLost,
  type NameStore,
} from "../src/session";

function store(): NameStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
  };
}

describe("resolveUsername", () => {
  it("prefers ?user=", () => {
    const s = store();
    expect(resolveUsername("?user=alice", s)).toBe("alice");
    expect(s.data.size).toBe(0);
  });

  it("creates a guest name once and reuses it", () => {
    const s = store();
    const first = resolveUsername("", s, () => 0.5);
    expect(first).toBe("guest-800000");
    expect(s.data.get(GUEST_KEY)).toBe(first);
    expect(resolveUsername("?other=1", s, () => 0.1)).toBe(first);
  });

  it("works without storage or when storage throws", () => {
    expect(resolveUsername("", null, () => 0)).toBe("guest-000000");
    const broken: NameStore = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    };
    expect(resolveUsername("", broken, () => 0)).toBe("guest-000000");
  });
});

describe("connect info", () => {
  const hash = "00".repeat(31) + "ff";

  it("parses the url and the certificate hash", () => {
    const info = parseConnectInfo({ webtransport_url: "https://127.0.0.1:4433/", cert_hash: hash });
    expect(info.webtransportUrl).toBe("https://127.0.0.1:4433/");
    expect(info.certHash).toHaveLength(32);
    expect(info.certHash?.[31]).toBe(255);
  });

  it("takes the websocket fallback's url when there is one", () => {
    expect(parseConnectInfo({ webtransport_url: "https://x/" }).websocketUrl).toBeNull();
    expect(parseConnectInfo({ webtransport_url: "https://x/", websocket_url: null }).websocketUrl).toBeNull();
    const info = parseConnectInfo({ webtransport_url: "https://x/", websocket_url: "ws://127.0.0.1:4436/" });
    expect(info.websocketUrl).toBe("ws://127.0.0.1:4436/");
    expect(parseConnectInfo({ webtransport_url: "https://x/", websocket_url: "wss://e.example/ws" }).websocketUrl).toBe(
      "wss://e.example/ws",
    );
    expect(() => parseConnectInfo({ webtransport_url: "https://x/", websocket_url: "https://x/" })).toThrow(/websocket_url/);
    expect(() => parseConnectInfo({ webtransport_url: "https://x/", websocket_url: 7 })).toThrow(/websocket_url/);
  });

  it("takes the connect endpoint when the answer names one", () => {
    expect(parseConnectInfo({ webtransport_url: "https://x/" }).connectUrls).toEqual([]);
    expect(parseConnectInfo({ webtransport_url: "https://x/", connect_url: "" }).connectUrls).toEqual([]);
    expect(parseConnectInfo({ webtransport_url: "https://x/", connect_url: "/api/connect" }).connectUrls).toEqual([
      "/api/connect",
    ]);
    const many = { webtransport_url: "https://x/", connect_url: "/api/connect", connect_urls: ["http://b/connect", "/api/connect"] };
    expect(parseConnectInfo(many).connectUrls).toEqual(["/api/connect", "http://b/connect"]);
    expect(() => parseConnectInfo({ webtransport_url: "https://x/", connect_urls: "http://b/connect" })).toThrow(/connect_urls/);
    // The connect endpoint's own answer (EdgeAddress with the region) parses too.
    const edge = parseConnectInfo({
      webtransport_url: "https://127.0.0.1:4433/",
      udp_addr: "127.0.0.1:4434",
      quic_addr: "127.0.0.1:4435",
      cert_hash: hash,
      udp_public_key: "cd".repeat(32),
      region: "default",
    });
    expect(edge.webtransportUrl).toBe("https://127.0.0.1:4433/");
    expect(edge.certHash).toHaveLength(32);
  });

  it("accepts a missing hash (real certificate) and rejects bad ones", () => {
    expect(parseConnectInfo({ webtransport_url: "https://x/" }).certHash).toBeNull();
    expect(() => parseConnectInfo({ webtransport_url: "https://x/", cert_hash: "abc" })).toThrow();
    expect(() => parseConnectInfo({ webtransport_url: "https://x/", cert_hash: "00" })).toThrow();
    expect(() => parseConnectInfo({ cert_hash: hash })).toThrow();
    expect(() => parseConnectInfo(null)).toThrow();
  });

  it("parses hex with separators and refuses non-hex", () => {
    expect(Array.from(parseHexBytes("0a:FF 10") ?? [])).toEqual([10, 255, 16]);
    expect(parseHexBytes("zz")).toBeNull();
    expect(parseHexBytes("123")).toBeNull();
  });
});

describe("connect endpoints", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("names the lost edge in the query", () => {
    expect(withLost("/api/connect", null)).toBe("/api/connect");
    expect(withLost("/api/connect", "https://a:4433/")).toBe("/api/connect?lost=https%3A%2F%2Fa%3A4433%2F");
    expect(withLost("http://e/connect?x=1", "10.0.0.1:4434")).toBe("http://e/connect?x=1&lost=10.0.0.1%3A4434");
  });

  it("asks each endpoint in turn until one answers", async () => {
    const asked: string[] = [];
    vi.stubGlobal("fetch", (url: string, init: RequestInit) => {
      asked.push(`${init.method} ${url} ${(init.headers as Record<string, string>)["authorization"]}`);
      if (url.startsWith("http://dead/")) return Promise.reject(new TypeError("connection refused"));
      return Promise.resolve(new Response(JSON.stringify({ webtransport_url: "https://b:4433/" })));
    });
    const info = await fetchConnectEndpoints(["http://dead/connect", "http://b/connect"], "tok", "https://a:4433/");
    expect(info.webtransportUrl).toBe("https://b:4433/");
    expect(asked).toEqual([
      "POST http://dead/connect?lost=https%3A%2F%2Fa%3A4433%2F Bearer tok",
      "POST http://b/connect?lost=https%3A%2F%2Fa%3A4433%2F Bearer tok",
    ]);
    await expect(fetchConnectEndpoints(["http://dead/connect"], "tok", null)).rejects.toThrow(/connection refused/);
    await expect(fetchConnectEndpoints([], "tok", null)).rejects.toThrow(/no connect endpoint/);
  });
});
