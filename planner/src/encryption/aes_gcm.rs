//! The `aes_gcm` method, byte for byte as OpenTofu's: AES-GCM with a 12-byte random nonce
//! written before the ciphertext, the 16-byte tag after it (Go's `Seal`), and the optional
//! additional authenticated data (`aad`) of the method block. Keys of 16 or 32 bytes
//! (AES-128, AES-256); OpenTofu's 24-byte AES-192 is refused by name.

use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::SecureRandom;

/// Why AES-GCM failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AesGcmError {
    #[error(
        "AES-GCM requires the key length to be one of: 16, 32 (tenantform does not implement \
         AES-192), received {0} bytes"
    )]
    KeyLength(usize),
    #[error("cannot decrypt data because it is too small (likely data corruption)")]
    TooShort,
    #[error("message authentication failed: the key does not decrypt the data, or it was altered")]
    Authentication,
    #[error("could not generate a nonce")]
    Random,
}

fn key(bytes: &[u8]) -> Result<LessSafeKey, AesGcmError> {
    let algorithm = match bytes.len() {
        16 => &AES_128_GCM,
        32 => &AES_256_GCM,
        other => return Err(AesGcmError::KeyLength(other)),
    };
    UnboundKey::new(algorithm, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| AesGcmError::KeyLength(bytes.len()))
}

/// Checks that `bytes` is a key this method takes.
pub(crate) fn check_key(bytes: &[u8]) -> Result<(), AesGcmError> {
    key(bytes).map(|_| ())
}

/// Encrypts: nonce, then ciphertext and tag.
pub(crate) fn seal(key_bytes: &[u8], aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, AesGcmError> {
    let key = key(key_bytes)?;
    let mut nonce = [0u8; NONCE_LEN];
    ring::rand::SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| AesGcmError::Random)?;
    let mut sealed = plain.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(aad),
        &mut sealed,
    )
    .map_err(|_| AesGcmError::Authentication)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Decrypts what [`seal`] (or OpenTofu's `aes_gcm`) wrote.
pub(crate) fn open(key_bytes: &[u8], aad: &[u8], data: &[u8]) -> Result<Vec<u8>, AesGcmError> {
    let key = key(key_bytes)?;
    if data.len() < NONCE_LEN {
        return Err(AesGcmError::TooShort);
    }
    let (nonce, sealed) = data.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| AesGcmError::TooShort)?;
    let mut buffer = sealed.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(aad), &mut buffer)
        .map_err(|_| AesGcmError::Authentication)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests;
