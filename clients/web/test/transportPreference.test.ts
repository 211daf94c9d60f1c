import { describe, expect, it } from "vitest";
import { TransportPreference, WS_PREFERENCE_MS } from "../src/transportPreference";

describe("transport preference", () => {
  it("tries WebTransport first until it fails", () => {
    const p = new TransportPreference();
    expect(p.preferWebSocket(0)).toBe(false);
    expect(p.preferWebSocket(10 * WS_PREFERENCE_MS)).toBe(false);
  });

  it("prefers the WebSocket after WebTransport failed to open, for the whole interval", () => {
    const p = new TransportPreference();
    p.record("failedToOpen", 1_000);
    expect(p.preferWebSocket(1_000)).toBe(true);
    // Every move to another edge within the interval skips the 2 s wait.
    for (const t of [1_001, 60_000, 1_000 + WS_PREFERENCE_MS - 1]) expect(p.preferWebSocket(t)).toBe(true);
  });

  it("a session that opened and later dropped leaves WebTransport first", () => {
    const p = new TransportPreference();
    p.record("opened", 1_000);
    // The drop itself is a normal disconnect: net.ts reports nothing for it, and the
    // reconnection right after tries WebTransport again.
    expect(p.preferWebSocket(1_001)).toBe(false);
  });

  it("an opened session ends an earlier preference at once", () => {
    const p = new TransportPreference();
    p.record("failedToOpen", 0);
    p.record("opened", 5_000);
    expect(p.preferWebSocket(5_001)).toBe(false);
  });

  it("expires after WS_PREFERENCE_MS: the next connect tries WebTransport again", () => {
    const p = new TransportPreference();
    p.record("failedToOpen", 1_000);
    expect(p.preferWebSocket(1_000 + WS_PREFERENCE_MS)).toBe(false);
    // And stays expired until WebTransport fails again.
    expect(p.preferWebSocket(1_000 + WS_PREFERENCE_MS + 1)).toBe(false);
  });

  it("a new failure starts a new interval from its own time", () => {
    const p = new TransportPreference();
    p.record("failedToOpen", 0);
    expect(p.preferWebSocket(WS_PREFERENCE_MS)).toBe(false);
    const again = WS_PREFERENCE_MS + 2_000;
    p.record("failedToOpen", again);
    expect(p.preferWebSocket(again + WS_PREFERENCE_MS - 1)).toBe(true);
    expect(p.preferWebSocket(again + WS_PREFERENCE_MS)).toBe(false);
  });

  it("the interval is five minutes", () => {
    expect(WS_PREFERENCE_MS).toBe(300_000);
  });
});
