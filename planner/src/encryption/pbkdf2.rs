//! The `pbkdf2` key provider, as OpenTofu's: a key derived from a passphrase with PBKDF2
//! (HMAC-SHA-512 by default, or SHA-256), a fresh random salt for every encryption, and the
//! derivation's parameters (`salt`, `iterations`, `hash_function`, `key_length`) stored in
//! the envelope's metadata so that decryption derives the same key again.

use std::num::NonZeroU32;

use base64::engine::general_purpose::STANDARD as BASE64;
use ring::rand::SecureRandom;
use serde::{Deserialize, Serialize};

use super::ConfigError;
use super::attributes::Attributes;

/// OpenTofu's defaults and minimums.
pub(super) const DEFAULT_KEY_LENGTH: i64 = 32;
pub(super) const DEFAULT_ITERATIONS: i64 = 600_000;
pub(super) const DEFAULT_SALT_LENGTH: i64 = 32;
pub(super) const MINIMUM_ITERATIONS: i64 = 200_000;
pub(super) const MINIMUM_PASSPHRASE_LENGTH: usize = 16;
/// The longest key or salt this program derives or reads (OpenTofu sets no bound; one keeps
/// a damaged envelope from asking for gigabytes).
const MAXIMUM_LENGTH: i64 = 4096;

/// The hash function of the HMAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum HashFunction {
    Sha256,
    Sha512,
}

impl HashFunction {
    fn parse(name: &str) -> Option<HashFunction> {
        match name {
            "sha256" => Some(HashFunction::Sha256),
            "sha512" => Some(HashFunction::Sha512),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            HashFunction::Sha256 => "sha256",
            HashFunction::Sha512 => "sha512",
        }
    }

    fn algorithm(self) -> ring::pbkdf2::Algorithm {
        match self {
            HashFunction::Sha256 => ring::pbkdf2::PBKDF2_HMAC_SHA256,
            HashFunction::Sha512 => ring::pbkdf2::PBKDF2_HMAC_SHA512,
        }
    }
}

/// A configured `pbkdf2` key provider. Its `Debug` never shows the passphrase.
#[derive(Clone)]
pub(crate) struct Pbkdf2 {
    passphrase: String,
    key_length: usize,
    iterations: NonZeroU32,
    salt_length: usize,
    hash: HashFunction,
}

impl std::fmt::Debug for Pbkdf2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pbkdf2")
            .field("passphrase", &"(sensitive)")
            .field("key_length", &self.key_length)
            .field("iterations", &self.iterations)
            .field("salt_length", &self.salt_length)
            .field("hash", &self.hash)
            .finish()
    }
}

/// The metadata stored with the encrypted data, as OpenTofu's JSON names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Pbkdf2Meta {
    #[serde(with = "base64_field")]
    pub salt: Vec<u8>,
    pub iterations: i64,
    pub hash_function: String,
    pub key_length: i64,
}

impl Pbkdf2 {
    /// Reads the block's arguments, with OpenTofu's defaults and checks.
    pub(super) fn from_attributes(attrs: &Attributes) -> Result<Pbkdf2, ConfigError> {
        attrs.only(&[
            "passphrase",
            "key_length",
            "iterations",
            "salt_length",
            "hash_function",
            "encrypted_metadata_alias",
            "chain",
        ])?;
        if attrs.has("chain") {
            return Err(attrs.error(
                "\"chain\" (a passphrase from another key provider) is not supported by \
                 tenantform; give the passphrase",
            ));
        }
        let Some(passphrase) = attrs.string("passphrase")? else {
            return Err(attrs.error("no passphrase provided and no chained provider defined"));
        };
        if passphrase.len() < MINIMUM_PASSPHRASE_LENGTH {
            return Err(attrs.error(format!(
                "passphrase is too short (minimum {MINIMUM_PASSPHRASE_LENGTH} characters)"
            )));
        }
        let length = |name, default| {
            let message = "the value must be larger than zero";
            attrs
                .integer(name, 1, MAXIMUM_LENGTH, message)
                .map(|v| v.unwrap_or(default))
        };
        let key_length = length("key_length", DEFAULT_KEY_LENGTH)?;
        let salt_length = length("salt_length", DEFAULT_SALT_LENGTH)?;
        let iterations = attrs
            .integer(
                "iterations",
                MINIMUM_ITERATIONS,
                i64::from(u32::MAX),
                &format!(
                    "the number of iterations is dangerously low (<{MINIMUM_ITERATIONS}), \
                     refusing to generate key"
                ),
            )?
            .unwrap_or(DEFAULT_ITERATIONS);
        let hash_name = attrs
            .string("hash_function")?
            .unwrap_or_else(|| "sha512".into());
        let hash = HashFunction::parse(&hash_name).ok_or_else(|| {
            attrs.error("invalid hash function name (expected \"sha256\" or \"sha512\")")
        })?;
        Ok(Pbkdf2 {
            passphrase,
            key_length: key_length as usize,
            iterations: NonZeroU32::new(iterations as u32).unwrap_or(NonZeroU32::MIN),
            salt_length: salt_length as usize,
            hash,
        })
    }

    /// A new encryption key with a fresh salt, and the metadata that derives it again.
    pub(super) fn encryption_key(&self) -> Result<(Vec<u8>, Pbkdf2Meta), String> {
        let mut salt = vec![0u8; self.salt_length];
        ring::rand::SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| format!("failed to obtain {} bytes of random data", salt.len()))?;
        let key = derive(
            self.passphrase.as_bytes(),
            &salt,
            self.iterations,
            self.key_length,
            self.hash,
        );
        let meta = Pbkdf2Meta {
            salt,
            iterations: i64::from(self.iterations.get()),
            hash_function: self.hash.name().to_string(),
            key_length: self.key_length as i64,
        };
        Ok((key, meta))
    }

    /// The key the stored metadata derives from this passphrase; `None` when the metadata
    /// is incomplete (OpenTofu's "not present").
    pub(super) fn decryption_key(&self, meta: &Pbkdf2Meta) -> Result<Option<Vec<u8>>, String> {
        if meta.salt.is_empty()
            || meta.iterations == 0
            || meta.hash_function.is_empty()
            || meta.key_length == 0
        {
            return Ok(None);
        }
        let hash = HashFunction::parse(&meta.hash_function)
            .ok_or_else(|| "invalid hash function name in the stored metadata".to_string())?;
        let iterations = u32::try_from(meta.iterations)
            .ok()
            .and_then(NonZeroU32::new)
            .ok_or_else(|| format!("invalid number of iterations ({})", meta.iterations))?;
        if !(1..=MAXIMUM_LENGTH).contains(&meta.key_length) {
            return Err(format!("invalid key length ({})", meta.key_length));
        }
        Ok(Some(derive(
            self.passphrase.as_bytes(),
            &meta.salt,
            iterations,
            meta.key_length as usize,
            hash,
        )))
    }
}

/// PBKDF2 as Go's `golang.org/x/crypto/pbkdf2.Key` computes it.
pub(super) fn derive(
    passphrase: &[u8],
    salt: &[u8],
    iterations: NonZeroU32,
    key_length: usize,
    hash: HashFunction,
) -> Vec<u8> {
    let mut key = vec![0u8; key_length];
    ring::pbkdf2::derive(hash.algorithm(), iterations, salt, passphrase, &mut key);
    key
}

/// Serde for `Vec<u8>` as standard base64, as Go encodes `[]byte`.
pub(super) mod base64_field {
    use super::BASE64;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            Some(text) => BASE64.decode(text).map_err(serde::de::Error::custom),
            None => Ok(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests;
