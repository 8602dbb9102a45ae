//! Tests of the aes_gcm method: a NIST vector in Go's layout (nonce, ciphertext, tag), the
//! round trip, and the detection of tampering, wrong keys and wrong additional data.

use super::*;

#[test]
fn opens_the_nist_vector_in_go_layout() {
    // NIST GCM test case 13: AES-256, zero key, zero nonce, empty plaintext.
    let key = [0u8; 32];
    let mut data = vec![0u8; 12];
    data.extend(hex::decode("530f8afbc74536b9a963b4f1c4cb738b").unwrap());
    assert_eq!(open(&key, &[], &data).unwrap(), Vec::<u8>::new());
    // Test case 14: one zero block.
    let mut data = vec![0u8; 12];
    data.extend(hex::decode("cea7403d4d606b6e074ec5d3baf39d18").unwrap());
    data.extend(hex::decode("d0d1c8a799996bf0265b98b5d48ab919").unwrap());
    assert_eq!(open(&key, &[], &data).unwrap(), vec![0u8; 16]);
}

#[test]
fn round_trip_with_a_fresh_nonce_each_time() {
    let key = [7u8; 32];
    let first = seal(&key, b"aad", b"secret state").unwrap();
    let second = seal(&key, b"aad", b"secret state").unwrap();
    assert_ne!(first[..12], second[..12], "nonces differ");
    assert_eq!(first.len(), 12 + 12 + 16);
    assert_eq!(open(&key, b"aad", &first).unwrap(), b"secret state");
    let short_key = [7u8; 16];
    let sealed = seal(&short_key, &[], b"x").unwrap();
    assert_eq!(open(&short_key, &[], &sealed).unwrap(), b"x");
}

#[test]
fn tampering_wrong_keys_and_wrong_aad_are_detected() {
    let key = [7u8; 32];
    let sealed = seal(&key, &[], b"secret state").unwrap();
    for index in [0, 12, sealed.len() - 1] {
        let mut tampered = sealed.clone();
        tampered[index] ^= 1;
        assert_eq!(open(&key, &[], &tampered), Err(AesGcmError::Authentication));
    }
    assert_eq!(
        open(&[8u8; 32], &[], &sealed),
        Err(AesGcmError::Authentication)
    );
    assert_eq!(
        open(&key, b"other", &sealed),
        Err(AesGcmError::Authentication)
    );
    assert_eq!(open(&key, &[], &sealed[..5]), Err(AesGcmError::TooShort));
    assert_eq!(
        open(&key, &[], &sealed[..12]),
        Err(AesGcmError::Authentication)
    );
    assert_eq!(seal(&[1u8; 24], &[], b"x"), Err(AesGcmError::KeyLength(24)));
}
