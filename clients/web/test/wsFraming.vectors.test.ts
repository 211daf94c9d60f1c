// Golden vectors of the WebSocket link shared with the Rust core (netcore/vectors/websocket.json).
import { describe, expect, it } from "vitest";
import vectorsJson from "../../../netcore/vectors/websocket.json";
import { WsFrameError, decodeWsMessage, encodeWsMessage, netcoreCloseCode } from "../src/wsFraming";
import type { WsChannel } from "../src/wsFraming";

interface Vector {
  name: string;
  hex: string;
  channel?: WsChannel;
  body?: string;
  error?: string;
}

const vectors = vectorsJson as Vector[];

function bytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

describe("websocket golden vectors", () => {
  it("has both valid and invalid vectors", () => {
    expect(vectors.filter((v) => v.error === undefined).length).toBeGreaterThan(0);
    expect(vectors.filter((v) => v.error !== undefined).length).toBeGreaterThan(0);
  });

  for (const v of vectors) {
    it(v.name, () => {
      if (v.error !== undefined) {
        const attempt = () => (v.error === "text" ? decodeWsMessage(v.hex) : decodeWsMessage(bytes(v.hex)));
        expect(attempt).toThrow(WsFrameError);
        try {
          attempt();
        } catch (err) {
          expect((err as WsFrameError).label).toBe(v.error);
        }
        return;
      }
      const channel = v.channel as WsChannel;
      const body = bytes(v.body ?? "");
      expect(hex(encodeWsMessage(channel, body))).toBe(v.hex);
      const decoded = decodeWsMessage(bytes(v.hex));
      expect(decoded.channel).toBe(channel);
      expect(hex(decoded.body)).toBe(v.body);
    });
  }

  it("reads netcore close codes", () => {
    expect(netcoreCloseCode(4249)).toBe(249);
    expect(netcoreCloseCode(4000)).toBe(0);
    expect(netcoreCloseCode(1006)).toBeNull();
    expect(netcoreCloseCode(4256)).toBeNull();
  });
});
