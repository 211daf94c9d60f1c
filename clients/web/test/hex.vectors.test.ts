// Golden hex-math cases shared with the Rust `Hex` (protocol/vectors/hex.json):
// the six directions in order, and distances up to the signed 32-bit extremes.
import { describe, expect, it } from "vitest";
import hexJson from "../../../protocol/vectors/hex.json";
import { type AxialHex, DIRECTIONS, MAX_HEX_DISTANCE, hexDistance } from "../src/hex";

interface DistanceCase {
  name: string;
  a: AxialHex;
  b: AxialHex;
  distance: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const I32_MIN = -0x80000000;
const I32_MAX = 0x7fffffff;

function hexOf(v: unknown): AxialHex {
  if (!isRecord(v) || !Number.isInteger(v.q) || !Number.isInteger(v.r)) {
    throw new Error(`malformed hex ${JSON.stringify(v)}`);
  }
  const q = v.q as number;
  const r = v.r as number;
  for (const c of [q, r]) if (c < I32_MIN || c > I32_MAX) throw new Error(`coordinate ${c} is not an i32`);
  return { q, r };
}

function load(json: unknown): { directions: AxialHex[]; distance: DistanceCase[] } {
  if (!isRecord(json) || !Array.isArray(json.directions) || !Array.isArray(json.distance)) {
    throw new Error("hex.json is not { directions, distance }");
  }
  const distance = json.distance.map((c: unknown) => {
    if (!isRecord(c) || typeof c.name !== "string" || typeof c.distance !== "number") {
      throw new Error(`malformed case ${JSON.stringify(c)}`);
    }
    return { name: c.name, a: hexOf(c.a), b: hexOf(c.b), distance: c.distance };
  });
  return { directions: json.directions.map(hexOf), distance };
}

const vectors = load(hexJson);

describe("hex golden cases (protocol/vectors/hex.json)", () => {
  it("has the directions in the protocol's order", () => {
    expect(DIRECTIONS).toEqual(vectors.directions);
  });

  it("covers the extremes", () => {
    expect(vectors.distance.length).toBeGreaterThanOrEqual(20);
    expect(vectors.distance.filter((c) => c.distance === MAX_HEX_DISTANCE).length).toBeGreaterThanOrEqual(2);
  });

  for (const c of vectors.distance) {
    it(`measures ${c.name}`, () => {
      expect(hexDistance(c.a, c.b)).toBe(c.distance);
      expect(hexDistance(c.b, c.a)).toBe(c.distance);
    });
  }
});
