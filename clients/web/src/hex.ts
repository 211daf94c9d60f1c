// Hex math for pointy-top axial coordinates (q, r), with s = -q - r implied.
//
// World space: the pixel plane for hexes of size 1 (center to corner). The
// camera scales world space to screen pixels.
//
// The coordinate math mirrors the protocol's Rust `Hex` (protocol/src/hex.rs); both
// check the golden cases of protocol/vectors/hex.json (test/hex.test.ts).

import { HEX_STEPS } from "./protocol/delta";

/** An axial hex coordinate. Structurally the same as the protocol's `Hex`. */
export interface AxialHex {
  q: number;
  r: number;
}

/** A point in world or screen space. */
export interface Point {
  x: number;
  y: number;
}

const SQRT3 = Math.sqrt(3);

/**
 * The six axial neighbour directions, counter-clockwise starting east: the
 * protocol's `Hex::DIRECTIONS`, also the delta codec's step directions.
 */
export const DIRECTIONS: readonly AxialHex[] = HEX_STEPS;

/** Largest hex distance reported: `u32::MAX`, as the Rust `Hex::distance` saturates. */
export const MAX_HEX_DISTANCE = 0xffffffff;

/**
 * Center of hex (q, r) in pixels for hexes of `size` (center to corner).
 * Accepts fractional coordinates (used for interpolated positions).
 */
export function hexToPixel(q: number, r: number, size = 1): Point {
  return { x: size * SQRT3 * (q + r / 2), y: size * 1.5 * r };
}

/** Fractional axial coordinates of a pixel, for hexes of `size`. */
export function pixelToFractionalHex(x: number, y: number, size = 1): AxialHex {
  const q = ((SQRT3 / 3) * x - y / 3) / size;
  const r = ((2 / 3) * y) / size;
  return { q, r };
}

/** The hex containing the pixel (x, y), for hexes of `size`. */
export function pixelToHex(x: number, y: number, size = 1): AxialHex {
  const f = pixelToFractionalHex(x, y, size);
  return hexRound(f.q, f.r);
}

/** Rounds fractional axial coordinates to the nearest hex (cube rounding). */
export function hexRound(fq: number, fr: number): AxialHex {
  const fs = -fq - fr;
  let q = Math.round(fq);
  let r = Math.round(fr);
  const s = Math.round(fs);
  const dq = Math.abs(q - fq);
  const dr = Math.abs(r - fr);
  const ds = Math.abs(s - fs);
  if (dq > dr && dq > ds) {
    q = -r - s;
  } else if (dr > ds) {
    r = -q - s;
  }
  // Normalise -0 to 0 so results compare equal with toEqual.
  return { q: q + 0, r: r + 0 };
}

/**
 * Hex distance between two hexes (number of steps): max(|dq|, |dr|, |dq + dr|).
 * Exact for any signed 32-bit wire coordinates (the differences stay far below
 * 2^53), saturating at {@link MAX_HEX_DISTANCE} like the Rust `Hex::distance`.
 */
export function hexDistance(a: AxialHex, b: AxialHex): number {
  const dq = a.q - b.q;
  const dr = a.r - b.r;
  return Math.min(Math.max(Math.abs(dq), Math.abs(dr), Math.abs(dq + dr)), MAX_HEX_DISTANCE);
}

/** Number of hexes in a disc of radius `r`: 3r(r+1)+1. */
export function discSize(radius: number): number {
  return 3 * radius * (radius + 1) + 1;
}

/** All hexes within `radius` steps of `center` (a hex disc), row by row. */
export function hexDisc(center: AxialHex, radius: number): AxialHex[] {
  const out: AxialHex[] = [];
  for (let dq = -radius; dq <= radius; dq++) {
    const lo = Math.max(-radius, -dq - radius);
    const hi = Math.min(radius, -dq + radius);
    for (let dr = lo; dr <= hi; dr++) {
      out.push({ q: center.q + dq, r: center.r + dr });
    }
  }
  return out;
}

/**
 * A compact numeric key for a hex, usable in a Map. Exact for |q|, |r| < 2^20,
 * far beyond any map size the protocol carries.
 */
export function hexKey(q: number, r: number): number {
  return (q + 0x100000) * 0x200000 + (r + 0x100000);
}

/** Inverse of {@link hexKey}. */
export function keyToHex(key: number): AxialHex {
  const q = Math.floor(key / 0x200000) - 0x100000;
  const r = (key % 0x200000) - 0x100000;
  return { q, r };
}

/**
 * The six corners of a pointy-top hex centred at (cx, cy) with `size`,
 * as a flat [x0, y0, x1, y1, ...] array.
 */
export function hexCorners(cx: number, cy: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 6; i++) {
    const angle = (Math.PI / 180) * (60 * i - 30);
    out.push(cx + size * Math.cos(angle), cy + size * Math.sin(angle));
  }
  return out;
}

/** Linear interpolation between two fractional hexes (t in [0, 1]). */
export function hexLerp(a: AxialHex, b: AxialHex, t: number): AxialHex {
  return { q: a.q + (b.q - a.q) * t, r: a.r + (b.r - a.r) * t };
}
