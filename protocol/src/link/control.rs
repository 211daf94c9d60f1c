//! The control frames `Hello`, `Welcome` and `Close`, laid out by hand (LINK.md §5) so that
//! any two versions of the link can negotiate, refuse each other and say why.

use super::codes::CloseCode;
use serde::{Deserialize, Serialize};

/// The four bytes every `Hello` and `Welcome` starts with.
pub const LINK_MAGIC: [u8; 4] = *b"SLNK";
/// Longest edge or region name, in bytes of UTF-8.
pub const MAX_NAME_LEN: usize = 64;
/// Longest close reason, in bytes of UTF-8.
pub const MAX_REASON_LEN: usize = 120;

/// First frame of an edge: the link versions it speaks (`min..=max`) and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub min_version: u16,
    pub max_version: u16,
    /// The edge's name (1 to [`MAX_NAME_LEN`] bytes), for logs and metrics.
    pub edge_id: String,
}

/// The region's answer to `Hello`: the version both speak from now on and who the region is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    /// The highest version in the edge's range the region speaks.
    pub version: u16,
    /// Random per start of the region process: a new value means a restarted region.
    pub instance: u64,
    /// The region's name (1 to [`MAX_NAME_LEN`] bytes).
    pub region_id: String,
}

/// The last frame a side sends before it closes the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Close {
    /// A [`CloseCode`]; kept raw so that a code of a newer version still reads.
    pub code: u8,
    /// Human-readable detail (at most [`MAX_REASON_LEN`] bytes), for logs.
    pub reason: String,
}

impl Close {
    /// A close with `code`; `reason` is cut to [`MAX_REASON_LEN`] bytes at a character
    /// boundary.
    pub fn new(code: CloseCode, reason: &str) -> Self {
        let mut end = reason.len().min(MAX_REASON_LEN);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            code: code.code(),
            reason: reason[..end].to_owned(),
        }
    }

    /// The code, if this version knows it.
    pub fn close_code(&self) -> Option<CloseCode> {
        CloseCode::from_u8(self.code)
    }
}

/// Why a control frame's payload did not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("payload ends early")]
    Truncated,
    #[error("bytes after the payload")]
    Trailing,
    #[error("wrong magic")]
    BadMagic,
    #[error("name or reason of bad length")]
    BadLength,
    #[error("text is not utf-8")]
    NotUtf8,
}

fn put_text(out: &mut Vec<u8>, text: &str, max: usize) {
    // Writers keep names and reasons within `max` (checked by the constructors and the
    // cores); a longer one is cut so the length byte stays true.
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push(end as u8);
    out.extend_from_slice(&text.as_bytes()[..end]);
}

/// A cursor over a control payload.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ControlError> {
        if self.0.len() < n {
            return Err(ControlError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, ControlError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ControlError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u64(&mut self) -> Result<u64, ControlError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }
    fn magic(&mut self) -> Result<(), ControlError> {
        if self.take(4)? == LINK_MAGIC {
            Ok(())
        } else {
            Err(ControlError::BadMagic)
        }
    }
    fn text(&mut self, min: usize, max: usize) -> Result<String, ControlError> {
        let len = usize::from(self.u8()?);
        if len < min || len > max {
            return Err(ControlError::BadLength);
        }
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ControlError::NotUtf8)
    }
    fn end(&self) -> Result<(), ControlError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ControlError::Trailing)
        }
    }
}

impl Hello {
    /// Append the payload: `magic(4) min_version(u16) max_version(u16) edge_id(len u8, utf-8)`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&LINK_MAGIC);
        out.extend_from_slice(&self.min_version.to_le_bytes());
        out.extend_from_slice(&self.max_version.to_le_bytes());
        put_text(out, &self.edge_id, MAX_NAME_LEN);
    }

    /// Read a payload written by [`Hello::write`].
    pub fn read(payload: &[u8]) -> Result<Self, ControlError> {
        let mut r = Reader(payload);
        r.magic()?;
        let hello = Self {
            min_version: r.u16()?,
            max_version: r.u16()?,
            edge_id: r.text(1, MAX_NAME_LEN)?,
        };
        r.end()?;
        Ok(hello)
    }
}

impl Welcome {
    /// Append the payload: `magic(4) version(u16) instance(u64) region_id(len u8, utf-8)`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&LINK_MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&self.instance.to_le_bytes());
        put_text(out, &self.region_id, MAX_NAME_LEN);
    }

    /// Read a payload written by [`Welcome::write`].
    pub fn read(payload: &[u8]) -> Result<Self, ControlError> {
        let mut r = Reader(payload);
        r.magic()?;
        let welcome = Self {
            version: r.u16()?,
            instance: r.u64()?,
            region_id: r.text(1, MAX_NAME_LEN)?,
        };
        r.end()?;
        Ok(welcome)
    }
}

impl Close {
    /// Append the payload: `code(u8) reason(len u8, utf-8)`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(self.code);
        put_text(out, &self.reason, MAX_REASON_LEN);
    }

    /// Read a payload written by [`Close::write`].
    pub fn read(payload: &[u8]) -> Result<Self, ControlError> {
        let mut r = Reader(payload);
        let close = Self {
            code: r.u8()?,
            reason: r.text(0, MAX_REASON_LEN)?,
        };
        r.end()?;
        Ok(close)
    }
}

/// Whether `name` is a valid edge or region name (1 to [`MAX_NAME_LEN`] bytes).
pub fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_frames_round_trip() {
        let hello = Hello {
            min_version: 3,
            max_version: 4,
            edge_id: "edge-eu-1".into(),
        };
        let mut out = Vec::new();
        hello.write(&mut out);
        assert_eq!(Hello::read(&out), Ok(hello));
        let welcome = Welcome {
            version: 3,
            instance: 0x0102_0304_0506_0708,
            region_id: "eu-west".into(),
        };
        out.clear();
        welcome.write(&mut out);
        assert_eq!(Welcome::read(&out), Ok(welcome));
        let close = Close::new(CloseCode::Slow, "buffer full");
        out.clear();
        close.write(&mut out);
        assert_eq!(Close::read(&out), Ok(close));
    }

    #[test]
    fn bad_control_payloads_are_errors() {
        let mut good = Vec::new();
        Hello {
            min_version: 3,
            max_version: 3,
            edge_id: "e".into(),
        }
        .write(&mut good);
        for cut in 0..good.len() {
            assert!(Hello::read(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert_eq!(Hello::read(&long), Err(ControlError::Trailing));
        let mut magic = good.clone();
        magic[0] = b'X';
        assert_eq!(Hello::read(&magic), Err(ControlError::BadMagic));
        let mut empty_name = good[..8].to_vec();
        empty_name.push(0);
        assert_eq!(Hello::read(&empty_name), Err(ControlError::BadLength));
        let mut not_utf8 = good[..8].to_vec();
        not_utf8.extend_from_slice(&[1, 0xff]);
        assert_eq!(Hello::read(&not_utf8), Err(ControlError::NotUtf8));
    }

    #[test]
    fn long_reasons_are_cut_at_a_character_boundary() {
        let reason = "é".repeat(100);
        let close = Close::new(CloseCode::Protocol, &reason);
        assert!(close.reason.len() <= MAX_REASON_LEN);
        assert!(close.reason.chars().all(|c| c == 'é'));
        let mut out = Vec::new();
        close.write(&mut out);
        assert_eq!(Close::read(&out), Ok(close));
    }
}
