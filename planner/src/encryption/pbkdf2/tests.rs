//! Tests of the pbkdf2 key provider: OpenTofu's example vector, the round trip through the
//! stored metadata, and OpenTofu's defaults and minimums.

use super::*;
use crate::encryption::config::{KeyProviderKind, parse};

fn provider(body: &str) -> Result<Pbkdf2, ConfigError> {
    let config = parse(&format!(
        "key_provider \"pbkdf2\" \"main\" {{\n{body}\n}}\n"
    ))?;
    match &config.key_providers[0].kind {
        KeyProviderKind::Pbkdf2(pbkdf2) => Ok(pbkdf2.clone()),
        other @ KeyProviderKind::External(_) => panic!("not pbkdf2: {other:?}"),
    }
}

#[test]
fn derives_opentofu_example_key() {
    // OpenTofu's keyprovider/pbkdf2 example_decrypt_test.go.
    let pbkdf2 = provider("passphrase = \"correct-horse-battery-staple\"").unwrap();
    let meta = Pbkdf2Meta {
        salt: vec![
            0x10, 0xec, 0x3d, 0x3f, 0xe0, 0x2a, 0xd2, 0xbe, 0xe6, 0xf1, 0xf5, 0x54, 0x0f, 0x8e,
            0x6b, 0xbe, 0x3b, 0x8b, 0x29, 0x44, 0x5c, 0xf5, 0x02, 0xd2, 0x7d, 0x47, 0xad, 0x55,
            0x4a, 0xa8, 0x97, 0x1f,
        ],
        iterations: 600_000,
        hash_function: "sha512".into(),
        key_length: 32,
    };
    let key = pbkdf2.decryption_key(&meta).unwrap().unwrap();
    assert_eq!(
        hex::encode(key),
        "225872367198760137e0a18580433447bbf578fbe2b87ff36aef3c175fe5709c"
    );
}

#[test]
fn rfc_6070_style_sha256_vector() {
    // PBKDF2-HMAC-SHA256("password", "salt", 1 iteration, 32 bytes), a published vector.
    let key = derive(
        b"password",
        b"salt",
        NonZeroU32::MIN,
        32,
        HashFunction::Sha256,
    );
    assert_eq!(
        hex::encode(key),
        "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
    );
}

#[test]
fn the_stored_metadata_derives_the_encryption_key_again() {
    let pbkdf2 = provider("passphrase = \"0123456789abcdef\"\niterations = 200000\nsalt_length = 12\nhash_function = \"sha256\"").unwrap();
    let (key, meta) = pbkdf2.encryption_key().unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(meta.salt.len(), 12);
    assert_eq!(meta.iterations, 200_000);
    assert_eq!(meta.hash_function, "sha256");
    let json = serde_json::to_string(&meta).unwrap();
    assert!(json.starts_with("{\"salt\":\""), "{json}");
    let reread: Pbkdf2Meta = serde_json::from_str(&json).unwrap();
    assert_eq!(pbkdf2.decryption_key(&reread).unwrap(), Some(key.clone()));
    let (second, second_meta) = pbkdf2.encryption_key().unwrap();
    assert_ne!(
        second_meta.salt, meta.salt,
        "every encryption takes a fresh salt"
    );
    assert_ne!(second, key);
}

#[test]
fn incomplete_metadata_gives_no_key_and_bad_metadata_an_error() {
    let pbkdf2 = provider("passphrase = \"0123456789abcdef\"").unwrap();
    let empty = Pbkdf2Meta {
        salt: Vec::new(),
        iterations: 0,
        hash_function: String::new(),
        key_length: 0,
    };
    assert_eq!(pbkdf2.decryption_key(&empty).unwrap(), None);
    let bad = Pbkdf2Meta {
        salt: vec![1],
        iterations: -5,
        hash_function: "sha512".into(),
        key_length: 32,
    };
    assert!(pbkdf2.decryption_key(&bad).is_err());
    let huge = Pbkdf2Meta {
        key_length: 1 << 40,
        iterations: 1,
        ..bad
    };
    assert!(pbkdf2.decryption_key(&huge).is_err());
}

#[test]
fn opentofu_defaults_and_minimums() {
    let pbkdf2 = provider("passphrase = \"0123456789abcdef\"").unwrap();
    assert_eq!(pbkdf2.key_length, 32);
    assert_eq!(pbkdf2.salt_length, 32);
    assert_eq!(pbkdf2.iterations.get(), 600_000);
    assert_eq!(pbkdf2.hash, HashFunction::Sha512);
    let short = provider("passphrase = \"fifteen-chars!!\"").unwrap_err();
    assert!(short.message.contains("too short"), "{short}");
    let low = provider("passphrase = \"0123456789abcdef\"\niterations = 199999").unwrap_err();
    assert!(low.message.contains("dangerously low"), "{low}");
    assert_eq!(low.line, 3);
    let sha1 = provider("passphrase = \"0123456789abcdef\"\nhash_function = \"sha1\"").unwrap_err();
    assert!(sha1.message.contains("hash function"), "{sha1}");
    let chain = provider("chain = key_provider.external.x").unwrap_err();
    assert!(chain.message.contains("chain"), "{chain}");
    assert!(!format!("{pbkdf2:?}").contains("0123456789abcdef"));
}
