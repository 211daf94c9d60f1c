//! A cursor over the fuzzer's bytes for the structured targets.
//!
//! The layout is deliberately simple (fixed-width little-endian fields, `u16` length prefixes)
//! so that the seed generator can write inputs by hand and the corpus in the repository stays
//! meaningful: nothing here depends on a derive's internal format. Reading past the end yields
//! zeros and empty slices, so every byte string is a valid input.

/// Reads fields from the front of the fuzzer's input.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// A cursor over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, 0 past the end.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next bit of a byte: `u8() & 1 == 1`.
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A little-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// A little-endian `i32`.
    pub fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.u32().to_le_bytes())
    }

    /// Up to `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        head
    }

    /// A `u16` length, then up to that many bytes.
    pub fn blob(&mut self) -> &'a [u8] {
        let n = usize::from(self.u16());
        self.bytes(n)
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// Writes inputs in the layout [`Input`] reads (for the seed generator).
#[derive(Debug, Default, Clone)]
pub struct InputWriter {
    out: Vec<u8>,
}

impl InputWriter {
    /// An empty input.
    pub fn new() -> Self {
        Self::default()
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.out.push(v);
        self
    }

    /// A little-endian `u16`.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A `u16` length and the bytes (at most `u16::MAX` of them).
    pub fn blob(&mut self, b: &[u8]) -> &mut Self {
        let b = &b[..b.len().min(usize::from(u16::MAX))];
        self.u16(u16::try_from(b.len()).unwrap_or(u16::MAX));
        self.out.extend_from_slice(b);
        self
    }

    /// The bytes written.
    pub fn finish(&self) -> Vec<u8> {
        self.out.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_and_reader_agree_and_reads_past_the_end_are_empty() {
        let bytes = InputWriter::new().u8(7).u16(0x1234).blob(b"abc").finish();
        let mut r = Input::new(&bytes);
        assert_eq!(r.u8(), 7);
        assert_eq!(r.u16(), 0x1234);
        assert_eq!(r.blob(), b"abc");
        assert!(r.is_empty());
        assert_eq!(r.u32(), 0);
        assert_eq!(r.blob(), b"");
    }
}
