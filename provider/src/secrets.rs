//! Generated secrets (user passwords, API keys) and their salted hashes. Plaintext secrets exist
//! only in the create response; the backend keeps the hash (and, for API keys, a fingerprint).

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

const PASSWORD_LENGTH: usize = 32;
const SALT_BYTES: usize = 16;
/// API key secrets are `tk_` and this many letters and digits.
pub const API_KEY_RANDOM_CHARS: usize = 40;
pub const API_KEY_PREFIX: &str = "tk_";
const FINGERPRINT_HEX_CHARS: usize = 16;

fn random_alphanumeric(length: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// A new API key secret: `tk_` and 40 random letters and digits.
pub fn generate_api_key() -> String {
    format!(
        "{API_KEY_PREFIX}{}",
        random_alphanumeric(API_KEY_RANDOM_CHARS)
    )
}

/// The first 16 hex digits of the SHA-256 of a secret: identifies a key without revealing it.
pub fn fingerprint(secret: &str) -> String {
    let digest = hex::encode(Sha256::digest(secret.as_bytes()));
    digest[..FINGERPRINT_HEX_CHARS].to_string()
}

/// A new random password of letters and digits.
pub fn generate_password() -> String {
    random_alphanumeric(PASSWORD_LENGTH)
}

/// `sha256$<salt hex>$<digest hex>` of the password (or any secret) with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let salt: [u8; SALT_BYTES] = rand::rng().random();
    format!(
        "sha256${}${}",
        hex::encode(salt),
        salted_digest(&salt, password)
    )
}

/// Checks a password against a hash made by [`hash_password`].
pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("sha256"), Some(salt_hex), Some(digest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(salt) = hex::decode(salt_hex) else {
        return false;
    };
    salted_digest(&salt, password) == digest
}

fn salted_digest(salt: &[u8], password: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(password.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_random_and_verifiable() {
        let first = generate_password();
        let second = generate_password();
        assert_eq!(first.len(), PASSWORD_LENGTH);
        assert_ne!(first, second);
        let stored = hash_password(&first);
        assert!(!stored.contains(&first));
        assert!(verify_password(&first, &stored));
        assert!(!verify_password(&second, &stored));
        assert_ne!(stored, hash_password(&first), "salt differs per hash");
    }

    #[test]
    fn api_keys_have_the_documented_form_and_fingerprint() {
        let key = generate_api_key();
        let random = key.strip_prefix(API_KEY_PREFIX).expect("tk_ prefix");
        assert_eq!(random.len(), API_KEY_RANDOM_CHARS);
        assert!(random.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(key, generate_api_key());
        let print = fingerprint(&key);
        assert_eq!(print.len(), 16);
        assert_eq!(print, hex::encode(Sha256::digest(key.as_bytes()))[..16]);
        assert!(verify_password(&key, &hash_password(&key)));
    }
}
