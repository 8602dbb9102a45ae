//! The SHA-256 of a value's JSON encoding, hashed as the encoder writes it instead of from
//! a buffer holding the whole document (a fleet's state is tens of megabytes).

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The SHA-256 of `value`'s compact JSON encoding (`serde_json::to_vec`'s bytes); of no bytes
/// when the value cannot be encoded.
pub(super) fn json_sha256<T: Serialize + ?Sized>(value: &T) -> [u8; 32] {
    let mut writer = HashingWriter(Sha256::new());
    match serde_json::to_writer(&mut writer, value) {
        Ok(()) => writer.0.finalize().into(),
        Err(_) => Sha256::digest(b"").into(),
    }
}

/// Feeds whatever is written to it into a SHA-256.
struct HashingWriter(Sha256);

impl Write for HashingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_that_of_the_encoded_bytes() {
        let value = serde_json::json!({"b": [1, 2.5, "x\"y"], "a": {"n": null}});
        let expected: [u8; 32] = Sha256::digest(serde_json::to_vec(&value).unwrap()).into();
        assert_eq!(json_sha256(&value), expected);
    }

    #[test]
    fn a_value_json_cannot_encode_digests_no_bytes() {
        let value = std::collections::BTreeMap::from([((1, 2), "map keys must be strings")]);
        assert!(serde_json::to_vec(&value).is_err());
        let empty: [u8; 32] = Sha256::digest(b"").into();
        assert_eq!(json_sha256(&value), empty);
    }
}
