import { describe, expect, it } from "vitest";
import {
  DIRECTIONS,
  discSize,
  hexCorners,
  hexDisc,
  hexDistance,
  hexKey,
  hexRound,
  hexToPixel,
  keyToHex,
  pixelToFractionalHex,
  pixelToHex,
} from "../src/hex";

describe("axial <-> pixel (pointy-top)", () => {
  it("places the origin at 0,0 and neighbours at sqrt(3) and 1.5 spacing", () => {
    expect(hexToPixel(0, 0)).toEqual({ x: 0, y: 0 });
    const east = hexToPixel(1, 0, 10);
    expect(east.x).toBeCloseTo(10 * Math.sqrt(3));
    expect(east.y).toBeCloseTo(0);
    const southEast = hexToPixel(0, 1, 10);
    expect(southEast.x).toBeCloseTo(5 * Math.sqrt(3));
    expect(southEast.y).toBeCloseTo(15);
  });

  it("keeps every neighbour at the same center distance", () => {
    for (const d of DIRECTIONS) {
      const p = hexToPixel(d.q, d.r, 7);
      expect(Math.hypot(p.x, p.y)).toBeCloseTo(7 * Math.sqrt(3));
    }
  });

  it("round-trips hex centers through pixels for many sizes and hexes", () => {
    for (const size of [1, 3.5, 14, 40]) {
      for (let q = -12; q <= 12; q++) {
        for (let r = -12; r <= 12; r++) {
          const p = hexToPixel(q, r, size);
          expect(pixelToHex(p.x, p.y, size)).toEqual({ q, r });
          const f = pixelToFractionalHex(p.x, p.y, size);
          expect(f.q).toBeCloseTo(q);
          expect(f.r).toBeCloseTo(r);
        }
      }
    }
  });

  it("maps points inside a hex (not just its center) to that hex", () => {
    const size = 20;
    const c = hexToPixel(3, -2, size);
    // Points at 85% of the inner radius (size * sqrt(3)/2) in every direction.
    for (let a = 0; a < 360; a += 15) {
      const rad = (a * Math.PI) / 180;
      const d = 0.85 * size * (Math.sqrt(3) / 2);
      expect(pixelToHex(c.x + d * Math.cos(rad), c.y + d * Math.sin(rad), size)).toEqual({ q: 3, r: -2 });
    }
  });

  it("puts the corners on the boundary between neighbouring hexes", () => {
    const corners = hexCorners(0, 0, 1);
    expect(corners).toHaveLength(12);
    for (let i = 0; i < 12; i += 2) {
      expect(Math.hypot(corners[i]!, corners[i + 1]!)).toBeCloseTo(1);
    }
    // Pointy-top: a corner straight up (angle -90 deg) at (0, -1).
    const up = [0, 2, 4, 6, 8, 10].some((i) => Math.abs(corners[i]!) < 1e-9 && Math.abs(corners[i + 1]! + 1) < 1e-9);
    expect(up).toBe(true);
  });
});

describe("rounding", () => {
  it("rounds to the nearest hex and keeps q + r + s = 0", () => {
    expect(hexRound(0.1, 0.1)).toEqual({ q: 0, r: 0 });
    expect(hexRound(0.9, -0.1)).toEqual({ q: 1, r: 0 });
    expect(hexRound(-0.2, 1.6)).toEqual({ q: 0, r: 2 });
    // (0.4, 0.4) is equally far from (1, 0) and (0, 1); naive rounding would give (0, 0).
    const h = hexRound(0.4, 0.4);
    expect([JSON.stringify({ q: 1, r: 0 }), JSON.stringify({ q: 0, r: 1 })]).toContain(JSON.stringify(h));
  });

  it("never returns negative zero", () => {
    const h = hexRound(-0.2, 0.1);
    expect(Object.is(h.q, -0)).toBe(false);
    expect(Object.is(h.r, -0)).toBe(false);
  });
});

describe("discs, distances, keys", () => {
  it("has 3r(r+1)+1 hexes in a disc, all within radius", () => {
    for (const radius of [0, 1, 2, 7, 9]) {
      const disc = hexDisc({ q: 5, r: -3 }, radius);
      expect(disc).toHaveLength(discSize(radius));
      expect(new Set(disc.map((h) => hexKey(h.q, h.r))).size).toBe(disc.length);
      for (const h of disc) expect(hexDistance(h, { q: 5, r: -3 })).toBeLessThanOrEqual(radius);
    }
    expect(discSize(9)).toBe(271);
    expect(discSize(7)).toBe(169);
  });

  it("measures hex distance", () => {
    expect(hexDistance({ q: 0, r: 0 }, { q: 3, r: -1 })).toBe(3);
    expect(hexDistance({ q: -2, r: 2 }, { q: 2, r: -2 })).toBe(4);
  });

  it("keys are unique and invertible", () => {
    const seen = new Set<number>();
    for (let q = -30; q <= 30; q++) {
      for (let r = -30; r <= 30; r++) {
        const k = hexKey(q, r);
        expect(seen.has(k)).toBe(false);
        seen.add(k);
        expect(keyToHex(k)).toEqual({ q, r });
      }
    }
    expect(keyToHex(hexKey(-100000, 99999))).toEqual({ q: -100000, r: 99999 });
  });
});
