//! Generated secrets (user passwords) and their salted hashes. Plaintext secrets exist only in
//! the create response; the backend keeps the hash.

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};

const PASSWORD_LENGTH: usize = 32;
const SALT_BYTES: usize = 16;

/// A new random password of letters and digits.
pub fn generate_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(PASSWORD_LENGTH)
        .map(char::from)
        .collect()
}

/// `sha256$<salt hex>$<digest hex>` of the password with a fresh random salt.
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
}
