//! Primitive encodings (SPEC.md §3): varints, zigzag, hexes, strings, list counts, enums.

use crate::bits::{BitReader, BitWriter};
use crate::client::DecodeError;
use crate::hex::Hex;

/// Payload bits per varint group.
const GROUP_BITS: u32 = 7;

/// Map a signed value to an unsigned one so small magnitudes stay small:
/// 0 → 0, -1 → 1, 1 → 2, -2 → 3, ...
pub fn zigzag_encode(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// Inverse of [`zigzag_encode`].
pub fn zigzag_decode(z: u32) -> i32 {
    ((z >> 1) as i32) ^ -((z & 1) as i32)
}

/// Write an unsigned varint: 7-bit groups, least significant group first, each group written
/// as a "more" bit followed by its 7 payload bits. Shortest form.
pub(crate) fn write_varint(w: &mut BitWriter, mut v: u64) {
    loop {
        let group = v & 0x7F;
        v >>= GROUP_BITS;
        let more = v != 0;
        w.write_bit(more);
        w.write_bits(group, GROUP_BITS);
        if !more {
            return;
        }
    }
}

/// Read a varint for a field holding values below `2^bits` (`bits <= 64`). At most
/// `ceil(bits / 7)` groups are read; a value that does not fit is
/// [`DecodeError::VarintOverflow`], a final zero group after the first is
/// [`DecodeError::NonCanonicalVarint`].
pub(crate) fn read_varint(r: &mut BitReader<'_>, bits: u32) -> Result<u64, DecodeError> {
    let bits = bits.min(64);
    let max_groups = bits.div_ceil(GROUP_BITS);
    let mut value = 0u64;
    for i in 0..max_groups {
        let more = r.read_bit()?;
        let group = r.read_bits(GROUP_BITS)?;
        let shift = i * GROUP_BITS;
        // Payload bits at or above `bits` would not fit the field.
        let room = bits - shift;
        if room < GROUP_BITS && group >> room != 0 {
            return Err(DecodeError::VarintOverflow);
        }
        value |= group << shift;
        if !more {
            if i > 0 && group == 0 {
                return Err(DecodeError::NonCanonicalVarint);
            }
            return Ok(value);
        }
    }
    Err(DecodeError::VarintOverflow)
}

/// Read a varint holding a `u32`.
pub(crate) fn read_varint_u32(r: &mut BitReader<'_>) -> Result<u32, DecodeError> {
    // read_varint(.., 32) never returns a value above u32::MAX.
    Ok(read_varint(r, 32)? as u32)
}

/// Read a varint holding a `u16`.
pub(crate) fn read_varint_u16(r: &mut BitReader<'_>) -> Result<u16, DecodeError> {
    // read_varint(.., 16) never returns a value above u16::MAX.
    Ok(read_varint(r, 16)? as u16)
}

/// Write a signed value as a zigzag varint.
pub(crate) fn write_zigzag(w: &mut BitWriter, v: i32) {
    write_varint(w, u64::from(zigzag_encode(v)));
}

/// Read a zigzag varint.
pub(crate) fn read_zigzag(r: &mut BitReader<'_>) -> Result<i32, DecodeError> {
    Ok(zigzag_decode(read_varint_u32(r)?))
}

/// Minimum encoded size of a hex (two one-group varints).
pub(crate) const HEX_MIN_BITS: usize = 16;

/// Write a hex: zigzag varint `q`, then zigzag varint `r`.
pub(crate) fn write_hex(w: &mut BitWriter, h: Hex) {
    write_zigzag(w, h.q);
    write_zigzag(w, h.r);
}

/// Read a hex.
pub(crate) fn read_hex(r: &mut BitReader<'_>) -> Result<Hex, DecodeError> {
    let q = read_zigzag(r)?;
    let r_ = read_zigzag(r)?;
    Ok(Hex::new(q, r_))
}

/// Write a string: varint byte length, then the UTF-8 bytes.
pub(crate) fn write_string(w: &mut BitWriter, s: &str) {
    write_varint(w, s.len() as u64);
    w.write_bytes(s.as_bytes());
}

/// Read a string of at most `max` bytes.
pub(crate) fn read_string(r: &mut BitReader<'_>, max: usize) -> Result<String, DecodeError> {
    let len = read_varint(r, 32)?;
    if len > max as u64 {
        return Err(DecodeError::StringTooLong { len, max });
    }
    // `len <= max`, so it fits in usize; read_bytes checks the remaining bits first.
    let bytes = r.read_bytes(len as usize)?;
    String::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8)
}

/// Write a list count.
pub(crate) fn write_count(w: &mut BitWriter, n: usize) {
    write_varint(w, n as u64);
}

/// Read a list count of at most `max` entries whose entries each take at least `min_bits`,
/// refusing counts the remaining input cannot hold before the caller allocates.
pub(crate) fn read_count(
    r: &mut BitReader<'_>,
    field: &'static str,
    max: usize,
    min_bits: usize,
) -> Result<usize, DecodeError> {
    let len = read_varint(r, 32)?;
    if len > max as u64 {
        return Err(DecodeError::ListTooLong { field, len, max });
    }
    // `len <= max`, so it fits in usize.
    let n = len as usize;
    if n.saturating_mul(min_bits) > r.remaining_bits() {
        return Err(DecodeError::Truncated);
    }
    Ok(n)
}

/// Read an 8-bit enum code and map it with `from`.
pub(crate) fn read_enum<T>(
    r: &mut BitReader<'_>,
    field: &'static str,
    from: fn(u8) -> Option<T>,
) -> Result<T, DecodeError> {
    let value = r.read_u8()?;
    from(value).ok_or(DecodeError::BadEnum { field, value })
}

/// Write a resume ticket: varint byte length, then the bytes (SPEC.md §17).
pub(crate) fn write_ticket(w: &mut BitWriter, ticket: &[u8]) {
    write_varint(w, ticket.len() as u64);
    w.write_bytes(ticket);
}

/// Read a resume ticket of at most [`super::MAX_TICKET_LEN`] bytes (`list_too_long` above it,
/// `truncated` if the input cannot hold it).
pub(crate) fn read_ticket(r: &mut BitReader<'_>) -> Result<Vec<u8>, DecodeError> {
    let n = read_count(r, "ticket", super::MAX_TICKET_LEN, 8)?;
    r.read_bytes(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint_bytes(v: u64) -> Vec<u8> {
        let mut w = BitWriter::new();
        write_varint(&mut w, v);
        w.finish()
    }

    #[test]
    fn varint_aligned_matches_leb128() {
        assert_eq!(varint_bytes(0), vec![0x00]);
        assert_eq!(varint_bytes(127), vec![0x7F]);
        assert_eq!(varint_bytes(128), vec![0x80, 0x01]);
        assert_eq!(varint_bytes(300), vec![0xAC, 0x02]);
        assert_eq!(
            varint_bytes(u64::from(u32::MAX)),
            vec![0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        );
    }

    #[test]
    fn varint_round_trips_at_every_width() {
        for bits in [16u32, 32, 53, 64] {
            let max = if bits == 64 {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
            for v in [0, 1, 127, 128, 16383, 16384, max / 2, max - 1, max] {
                let bytes = varint_bytes(v);
                let mut r = BitReader::new(&bytes);
                assert_eq!(read_varint(&mut r, bits), Ok(v), "{v} in {bits} bits");
                r.finish().unwrap();
            }
        }
    }

    #[test]
    fn varint_rejects_overflow_and_overlong() {
        let big = varint_bytes(u64::from(u32::MAX) + 1);
        assert_eq!(
            read_varint(&mut BitReader::new(&big), 32),
            Err(DecodeError::VarintOverflow)
        );
        let six = [0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(
            read_varint(&mut BitReader::new(&six), 32),
            Err(DecodeError::VarintOverflow)
        );
        let too_big_u16 = varint_bytes(65536);
        assert_eq!(
            read_varint(&mut BitReader::new(&too_big_u16), 16),
            Err(DecodeError::VarintOverflow)
        );
        let user_id = varint_bytes(1 << 53);
        assert_eq!(
            read_varint(&mut BitReader::new(&user_id), 53),
            Err(DecodeError::VarintOverflow)
        );
        assert_eq!(
            read_varint(&mut BitReader::new(&[0x81, 0x00]), 32),
            Err(DecodeError::NonCanonicalVarint)
        );
        assert_eq!(
            read_varint(&mut BitReader::new(&[0x81]), 32),
            Err(DecodeError::Truncated)
        );
    }

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_values() {
        for (v, z) in [
            (0, 0u32),
            (-1, 1),
            (1, 2),
            (-2, 3),
            (i32::MAX, u32::MAX - 1),
            (i32::MIN, u32::MAX),
        ] {
            assert_eq!(zigzag_encode(v), z);
            assert_eq!(zigzag_decode(z), v);
        }
    }

    #[test]
    fn counts_are_checked_before_allocation() {
        let mut w = BitWriter::new();
        write_count(&mut w, 4096);
        let bytes = w.finish();
        assert_eq!(
            read_count(&mut BitReader::new(&bytes), "x", 4096, 1),
            Err(DecodeError::Truncated)
        );
        assert!(matches!(
            read_count(&mut BitReader::new(&bytes), "x", 4095, 1),
            Err(DecodeError::ListTooLong {
                len: 4096,
                max: 4095,
                ..
            })
        ));
    }
}
