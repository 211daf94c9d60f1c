import { describe, expect, it } from "vitest";
import { Camera, MAX_ZOOM, MIN_ZOOM } from "../src/camera";
import { hexToPixel } from "../src/hex";

function camera(): Camera {
  const c = new Camera();
  c.resize(800, 600);
  return c;
}

describe("Camera", () => {
  it("puts the center of the view in the middle of the screen", () => {
    const c = camera();
    c.center = hexToPixel(4, -2);
    const s = c.hexToScreen(4, -2);
    expect(s.x).toBeCloseTo(400);
    expect(s.y).toBeCloseTo(300);
    expect(c.screenToHex(400, 300)).toEqual({ q: 4, r: -2 });
  });

  it("round-trips hexes through the screen at any zoom and pan", () => {
    const c = camera();
    c.panBy(123, -45);
    c.zoomAt(1.7, 100, 100);
    for (let q = -5; q <= 5; q++) {
      for (let r = -5; r <= 5; r++) {
        const s = c.hexToScreen(q, r);
        expect(c.screenToHex(s.x, s.y)).toEqual({ q, r });
      }
    }
  });

  it("pans opposite to the drag in world space", () => {
    const c = camera();
    const before = c.hexToScreen(1, 1);
    c.panBy(30, -10);
    const after = c.hexToScreen(1, 1);
    expect(after.x - before.x).toBeCloseTo(30);
    expect(after.y - before.y).toBeCloseTo(-10);
    expect(c.userMoved).toBe(true);
  });

  it("zooms around the cursor and clamps the zoom", () => {
    const c = camera();
    const anchor = c.screenToWorld(650, 120);
    c.zoomAt(2, 650, 120);
    const again = c.screenToWorld(650, 120);
    expect(again.x).toBeCloseTo(anchor.x);
    expect(again.y).toBeCloseTo(anchor.y);
    c.zoomAt(1000, 0, 0);
    expect(c.zoom).toBe(MAX_ZOOM);
    c.zoomAt(1e-6, 0, 0);
    expect(c.zoom).toBe(MIN_ZOOM);
  });

  it("centers on the centroid of hexes", () => {
    const c = camera();
    c.centerOnHexes([
      { q: 0, r: 0 },
      { q: 2, r: 0 },
    ]);
    const s = c.hexToScreen(1, 0);
    expect(s.x).toBeCloseTo(400);
    expect(s.y).toBeCloseTo(300);
    c.centerOnHexes([]);
    expect(c.hexToScreen(1, 0).x).toBeCloseTo(400);
  });
});
