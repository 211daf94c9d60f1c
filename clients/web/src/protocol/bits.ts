// MSB-first bit streams (protocol/SPEC.md §2): bits fill each byte from bit 7 down to bit 0,
// and a field is written most significant bit first. The final byte is padded with zeros.

import { DecodeError } from "./types";

/** Appends bit fields to a growing buffer. */
export class BitWriter {
  private buf = new Uint8Array(64);
  private bits = 0;

  /** Bits written so far. */
  get bitLength(): number {
    return this.bits;
  }

  /** Writes the low `n` (0..32) bits of the unsigned integer `value`, MSB first. */
  writeBits(value: number, n: number): void {
    let left = n;
    while (left > 0) {
      const used = this.bits & 7;
      if (used === 0) this.grow();
      const free = 8 - used;
      const take = Math.min(free, left);
      const chunk = (value >>> (left - take)) & ((1 << take) - 1);
      const index = this.bits >>> 3;
      this.buf[index] = (this.buf[index] ?? 0) | (chunk << (free - take));
      left -= take;
      this.bits += take;
    }
  }

  /** Writes one bit. */
  writeBit(bit: boolean): void {
    this.writeBits(bit ? 1 : 0, 1);
  }

  /** Writes whole bytes (8 bits each, not necessarily aligned). */
  writeBytes(bytes: Uint8Array): void {
    for (const b of bytes) this.writeBits(b, 8);
  }

  /** The written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, (this.bits + 7) >>> 3);
  }

  private grow(): void {
    const need = (this.bits >>> 3) + 1;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
  }
}

/** Reads bit fields; every read is bounds-checked and throws DecodeError("truncated"). */
export class BitReader {
  private pos = 0;

  constructor(private readonly data: Uint8Array) {}

  /** Bits not yet read (including padding in the final byte). */
  get remainingBits(): number {
    return this.data.length * 8 - this.pos;
  }

  /** Reads `n` (0..32) bits as an unsigned integer. */
  readBits(n: number): number {
    if (n > this.remainingBits) throw new DecodeError("truncated");
    let value = 0;
    let left = n;
    while (left > 0) {
      const byte = this.data[this.pos >>> 3] ?? 0;
      const avail = 8 - (this.pos & 7);
      const take = Math.min(avail, left);
      const bits = (byte >>> (avail - take)) & ((1 << take) - 1);
      // Multiply instead of shifting so 32-bit values stay unsigned.
      value = value * (1 << take) + bits;
      left -= take;
      this.pos += take;
    }
    return value;
  }

  /** Reads one bit. */
  readBit(): boolean {
    return this.readBits(1) === 1;
  }

  /** Reads `len` whole bytes. */
  readBytes(len: number): Uint8Array {
    if (len * 8 > this.remainingBits) throw new DecodeError("truncated");
    if ((this.pos & 7) === 0) {
      const start = this.pos >>> 3;
      this.pos += len * 8;
      return this.data.slice(start, start + len);
    }
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.readBits(8);
    return out;
  }

  /** End of message: zero padding bits, then no further bytes. */
  finish(): void {
    const used = this.pos & 7;
    if (used !== 0) {
      const byte = this.data[this.pos >>> 3] ?? 0;
      if ((byte & ((1 << (8 - used)) - 1)) !== 0) throw new DecodeError("nonzero_padding");
    }
    const extra = this.data.length - ((this.pos + 7) >>> 3);
    if (extra > 0) throw new DecodeError("trailing_bytes", `${extra} bytes`);
  }
}
