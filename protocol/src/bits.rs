//! MSB-first bit streams: [`BitWriter`] and [`BitReader`].
//!
//! Bits fill each byte from its most significant bit (bit 7) down to bit 0, and a field of
//! `n` bits is written most significant bit first. The unused low bits of the final byte are
//! zero. See `protocol/SPEC.md` §2.

use crate::client::DecodeError;

/// Mask of the low `n` bits (`n <= 64`).
const fn low_mask(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// Appends bit fields to a growing byte buffer, MSB-first.
#[derive(Debug, Default, Clone)]
pub struct BitWriter {
    buf: Vec<u8>,
    bit_len: usize,
}

impl BitWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty writer with room for `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: Vec::with_capacity(bytes),
            bit_len: 0,
        }
    }

    /// Number of bits written so far.
    pub fn bit_len(&self) -> usize {
        self.bit_len
    }

    /// Write the low `n` bits of `value`, most significant first. Bits of `value` above `n`
    /// are ignored; `n` above 64 is treated as 64.
    pub fn write_bits(&mut self, value: u64, n: u32) {
        let mut left = n.min(64);
        while left > 0 {
            let used = (self.bit_len % 8) as u32;
            if used == 0 {
                self.buf.push(0);
            }
            let free = 8 - used;
            let take = free.min(left);
            let chunk = (value >> (left - take)) & low_mask(take);
            if let Some(last) = self.buf.last_mut() {
                // `chunk < 2^take` and `take <= free`, so the shift stays inside the byte.
                *last |= (chunk << (free - take)) as u8;
            }
            left -= take;
            self.bit_len += take as usize;
        }
    }

    /// Write one bit.
    pub fn write_bit(&mut self, bit: bool) {
        self.write_bits(u64::from(bit), 1);
    }

    /// Write whole bytes (8 bits each, not necessarily byte-aligned).
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        if self.bit_len.is_multiple_of(8) {
            self.buf.extend_from_slice(bytes);
            self.bit_len += bytes.len() * 8;
        } else {
            for &b in bytes {
                self.write_bits(u64::from(b), 8);
            }
        }
    }

    /// The written bytes; the unused bits of the final byte are zero.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads bit fields from a byte slice, MSB-first. Every read is bounds-checked and fails
/// with [`DecodeError::Truncated`] instead of panicking.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Bits not yet read (including any padding in the final byte).
    pub fn remaining_bits(&self) -> usize {
        (self.data.len() * 8).saturating_sub(self.pos)
    }

    /// Read `n <= 64` bits, most significant first.
    pub fn read_bits(&mut self, n: u32) -> Result<u64, DecodeError> {
        let n = n.min(64);
        if n as usize > self.remaining_bits() {
            return Err(DecodeError::Truncated);
        }
        let mut value = 0u64;
        let mut left = n;
        while left > 0 {
            let byte = *self.data.get(self.pos / 8).ok_or(DecodeError::Truncated)?;
            let avail = 8 - (self.pos % 8) as u32;
            let take = avail.min(left);
            let bits = (u64::from(byte) >> (avail - take)) & low_mask(take);
            // `take <= 8`, and bits shifted out the top were never part of an `n <= 64` value.
            value = (value << take) | bits;
            left -= take;
            self.pos += take as usize;
        }
        Ok(value)
    }

    /// Read one bit.
    pub fn read_bit(&mut self) -> Result<bool, DecodeError> {
        Ok(self.read_bits(1)? == 1)
    }

    /// Read an 8-bit field.
    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        // Eight bits always fit in a u8.
        Ok(self.read_bits(8)? as u8)
    }

    /// Read `len` whole bytes (8 bits each, not necessarily aligned).
    pub fn read_bytes(&mut self, len: usize) -> Result<Vec<u8>, DecodeError> {
        if len.saturating_mul(8) > self.remaining_bits() {
            return Err(DecodeError::Truncated);
        }
        if self.pos.is_multiple_of(8) {
            let start = self.pos / 8;
            let slice = self
                .data
                .get(start..start + len)
                .ok_or(DecodeError::Truncated)?;
            self.pos += len * 8;
            return Ok(slice.to_vec());
        }
        let mut out = Vec::with_capacity(len);
        for _ in 0..len {
            out.push(self.read_u8()?);
        }
        Ok(out)
    }

    /// End of message: the unused bits of the final byte must be zero
    /// ([`DecodeError::NonZeroPadding`]) and no byte may follow it
    /// ([`DecodeError::TrailingBytes`]), checked in that order.
    pub fn finish(self) -> Result<(), DecodeError> {
        let used = self.pos % 8;
        if used != 0 {
            let byte = self.data.get(self.pos / 8).copied().unwrap_or(0);
            if u64::from(byte) & low_mask(8 - used as u32) != 0 {
                return Err(DecodeError::NonZeroPadding);
            }
        }
        let extra = self.data.len().saturating_sub(self.pos.div_ceil(8));
        if extra > 0 {
            return Err(DecodeError::TrailingBytes(extra));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msb_first_layout() {
        let mut w = BitWriter::new();
        w.write_bit(true);
        w.write_bits(0b010, 3);
        w.write_bits(0xABC, 12);
        w.write_bits(1, 2);
        assert_eq!(w.bit_len(), 18);
        // 1 010 1010 | 1011 1100 | 01 000000
        assert_eq!(w.finish(), vec![0b1010_1010, 0b1011_1100, 0b0100_0000]);
    }

    #[test]
    fn reads_back_what_was_written() {
        let fields: [(u64, u32); 7] = [
            (1, 1),
            (5, 3),
            (u64::MAX, 64),
            (0, 7),
            (0x1234_5678, 32),
            (0xFF, 8),
            (3, 2),
        ];
        let mut w = BitWriter::new();
        for (v, n) in fields {
            w.write_bits(v, n);
        }
        w.write_bytes(b"hi");
        let bytes = w.finish();
        let mut r = BitReader::new(&bytes);
        for (v, n) in fields {
            assert_eq!(r.read_bits(n).unwrap(), v & low_mask(n));
        }
        assert_eq!(r.read_bytes(2).unwrap(), b"hi".to_vec());
        r.finish().unwrap();
    }

    #[test]
    fn aligned_bytes_fast_path() {
        let mut w = BitWriter::new();
        w.write_bytes(&[1, 2, 3]);
        let bytes = w.finish();
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.read_bytes(3).unwrap(), vec![1, 2, 3]);
        assert_eq!(r.read_bytes(1), Err(DecodeError::Truncated));
    }

    #[test]
    fn truncation_is_an_error() {
        let mut r = BitReader::new(&[0xFF]);
        assert_eq!(r.read_bits(9), Err(DecodeError::Truncated));
        assert_eq!(r.read_bits(3).unwrap(), 0b111);
        assert_eq!(r.read_bytes(1), Err(DecodeError::Truncated));
        assert_eq!(r.read_bytes(usize::MAX), Err(DecodeError::Truncated));
        assert_eq!(BitReader::new(&[]).read_bit(), Err(DecodeError::Truncated));
    }

    #[test]
    fn finish_checks_padding_then_trailing_bytes() {
        let mut r = BitReader::new(&[0b1000_0001]);
        r.read_bit().unwrap();
        assert_eq!(r.finish(), Err(DecodeError::NonZeroPadding));

        let mut r = BitReader::new(&[0b1000_0000, 0]);
        r.read_bit().unwrap();
        assert_eq!(r.finish(), Err(DecodeError::TrailingBytes(1)));

        let mut r = BitReader::new(&[0b1000_0001, 0]);
        r.read_bit().unwrap();
        assert_eq!(r.finish(), Err(DecodeError::NonZeroPadding));

        let mut r = BitReader::new(&[0xAA]);
        r.read_u8().unwrap();
        assert_eq!(r.finish(), Ok(()));
        assert_eq!(BitReader::new(&[]).finish(), Ok(()));
    }
}
