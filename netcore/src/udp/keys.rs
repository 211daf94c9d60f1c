//! Static X25519 keys: generation and hex storage.

use std::path::Path;
use zeroize::Zeroizing;

pub use crate::proto::handshake::{generate_keypair, public_key_of};

/// Error reading a key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key is not 64 hex digits")]
    BadHex,
    #[error("cannot read or write the key file: {0}")]
    Io(#[from] std::io::Error),
}

/// A key as 64 lowercase hex digits.
pub fn key_to_hex(key: &[u8; 32]) -> String {
    hex::encode(key)
}

/// Parse 64 hex digits (surrounding whitespace allowed).
pub fn key_from_hex(text: &str) -> Result<[u8; 32], KeyError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut out).map_err(|_| KeyError::BadHex)?;
    Ok(out)
}

/// Write a key as hex to `path`.
pub fn save_key(path: &Path, key: &[u8; 32]) -> Result<(), KeyError> {
    let text = Zeroizing::new(format!("{}\n", key_to_hex(key)));
    std::fs::write(path, text.as_bytes())?;
    Ok(())
}

/// Read a hex key from `path`.
pub fn load_key(path: &Path) -> Result<[u8; 32], KeyError> {
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    key_from_hex(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_public_key() {
        let (private, public) = generate_keypair();
        assert_eq!(public_key_of(&private), public);
        assert_eq!(key_from_hex(&key_to_hex(&private)).ok(), Some(private));
        assert!(key_from_hex("zz").is_err());
        let dir = std::env::temp_dir().join(format!("starlane-key-{}", std::process::id()));
        save_key(&dir, &private).expect("temp dir is writable");
        assert_eq!(load_key(&dir).ok(), Some(private));
        let _ = std::fs::remove_file(&dir);
    }
}
