//! SHA-256 certificate pins: what a pin names ([`fingerprint`]), its text form ([`parse_pin`],
//! [`format_pin`]) and the pins of a certificate file ([`pins_of_file`], the development
//! fallback of the edge-region link).

/// Length of a SHA-256 pin in hex digits.
pub const PIN_HEX_LEN: usize = 64;

/// Why a pin did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not 64 digits (separators not counted).
    #[error(
        "a pin has {PIN_HEX_LEN} hex digits, this one has {0}; fix: give the sha-256 of the \
         certificate's der, e.g. `openssl x509 -in cert.pem -outform der | sha256sum`"
    )]
    Length(usize),
    /// A character other than a hex digit or `:`.
    #[error("a pin holds only hex digits and ':' separators; fix: remove the other characters")]
    NotHex,
}

/// SHA-256 of a certificate's DER: what a pin names.
pub fn fingerprint(cert: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert);
    let mut out = [0u8; 32];
    // SHA-256 digests are 32 bytes: the lengths always agree.
    out.copy_from_slice(digest.as_ref());
    out
}

/// Parse a pin: 64 hex digits (case-insensitive, surrounding white space and `:` separators
/// ignored) into 32 bytes.
pub fn parse_pin(pin: &str) -> Result<[u8; 32], PinError> {
    let digits: Vec<u8> = pin.trim().bytes().filter(|b| *b != b':').collect();
    if digits.len() != PIN_HEX_LEN {
        let chars = pin.trim().chars().filter(|c| *c != ':').count();
        return Err(PinError::Length(chars));
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(&digits, &mut out).map_err(|_| PinError::NotHex)?;
    Ok(out)
}

/// A pin as text: 64 lowercase hex digits, no separators (what [`parse_pin`] reads back).
pub fn format_pin(pin: &[u8; 32]) -> String {
    hex::encode(pin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_with_or_without_separators() {
        let hex = "ab".repeat(32);
        assert_eq!(parse_pin(&hex), Ok([0xab; 32]));
        let colons = vec!["AB"; 32].join(":");
        assert_eq!(parse_pin(&colons), Ok([0xab; 32]));
        assert_eq!(parse_pin(&format!("  {hex}\n")), Ok([0xab; 32]));
        assert_eq!(parse_pin("abcd"), Err(PinError::Length(4)));
        assert_eq!(parse_pin(&"zz".repeat(32)), Err(PinError::NotHex));
        // Multi-byte characters are counted as characters and never decoded as digits.
        assert_eq!(parse_pin(&"é".repeat(20)), Err(PinError::Length(20)));
        assert_eq!(parse_pin(&"é".repeat(32)), Err(PinError::NotHex));
    }

    #[test]
    fn a_formatted_pin_parses_back() {
        let pin = fingerprint(b"not really a certificate");
        let text = format_pin(&pin);
        assert_eq!(text.len(), PIN_HEX_LEN);
        assert_eq!(text, text.to_lowercase());
        assert_eq!(parse_pin(&text), Ok(pin));
    }

    #[test]
    fn the_fingerprint_is_sha256_of_the_der() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(
            format_pin(&fingerprint(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
