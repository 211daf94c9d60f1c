// The camera: maps world space (hexes of size 1) to screen CSS pixels.

import { type AxialHex, type Point, hexToPixel, pixelToHex } from "./hex";

/** Smallest and largest zoom (CSS pixels per world unit = hex size in px). */
export const MIN_ZOOM = 3;
export const MAX_ZOOM = 120;
/** Zoom at start: hexes of 16 px. */
export const DEFAULT_ZOOM = 16;

/** A 2D camera with a center in world space, a zoom and a viewport. */
export class Camera {
  /** World point at the center of the viewport. */
  center: Point = { x: 0, y: 0 };
  /** CSS pixels per world unit (the hex size on screen). */
  zoom = DEFAULT_ZOOM;
  /** Viewport size in CSS pixels. */
  width = 1;
  height = 1;
  /** Whether the user moved the camera (then automatic centering stops). */
  userMoved = false;

  /** Sets the viewport size in CSS pixels. */
  resize(width: number, height: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
  }

  /** World point to screen CSS pixels. */
  worldToScreen(p: Point): Point {
    return {
      x: (p.x - this.center.x) * this.zoom + this.width / 2,
      y: (p.y - this.center.y) * this.zoom + this.height / 2,
    };
  }

  /** Screen CSS pixels to world point. */
  screenToWorld(x: number, y: number): Point {
    return {
      x: (x - this.width / 2) / this.zoom + this.center.x,
      y: (y - this.height / 2) / this.zoom + this.center.y,
    };
  }

  /** Screen position of the center of hex (q, r); fractional hexes allowed. */
  hexToScreen(q: number, r: number): Point {
    return this.worldToScreen(hexToPixel(q, r));
  }

  /** The hex under the screen point (x, y). */
  screenToHex(x: number, y: number): AxialHex {
    const w = this.screenToWorld(x, y);
    return pixelToHex(w.x, w.y);
  }

  /** Moves the view by a drag of (dx, dy) screen pixels. */
  panBy(dx: number, dy: number): void {
    this.center = { x: this.center.x - dx / this.zoom, y: this.center.y - dy / this.zoom };
    this.userMoved = true;
  }

  /** Zooms by `factor`, keeping the world point under screen (x, y) in place. */
  zoomAt(factor: number, x: number, y: number): void {
    const before = this.screenToWorld(x, y);
    this.zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
    const after = this.screenToWorld(x, y);
    this.center = { x: this.center.x + before.x - after.x, y: this.center.y + before.y - after.y };
    this.userMoved = true;
  }

  /** Centers the view on the centroid of `hexes` (no-op when empty). */
  centerOnHexes(hexes: readonly AxialHex[]): void {
    if (hexes.length === 0) return;
    let x = 0;
    let y = 0;
    for (const h of hexes) {
      const p = hexToPixel(h.q, h.r);
      x += p.x;
      y += p.y;
    }
    this.center = { x: x / hexes.length, y: y / hexes.length };
  }

  /** World-space rectangle currently visible, grown by `margin` world units. */
  visibleWorldRect(margin = 1): { minX: number; minY: number; maxX: number; maxY: number } {
    const tl = this.screenToWorld(0, 0);
    const br = this.screenToWorld(this.width, this.height);
    return { minX: tl.x - margin, minY: tl.y - margin, maxX: br.x + margin, maxY: br.y + margin };
  }
}
