//! Tests of a target at work: encryption with the method, decryption with the method or a
//! fallback (key rotation and migration), and the refusals.

use super::*;
use crate::encryption::Encryption;

const OLD: &str = "old-passphrase-0123456789";
const NEW: &str = "new-passphrase-0123456789";

fn pbkdf2(name: &str, passphrase: &str) -> String {
    format!(
        "key_provider \"pbkdf2\" \"{name}\" {{\n  passphrase = \"{passphrase}\"\n  iterations = 200000\n  key_length = 16\n}}\n\
         method \"aes_gcm\" \"{name}\" {{\n  keys = key_provider.pbkdf2.{name}\n}}\n"
    )
}

fn state_target(text: &str) -> Arc<TargetEncryption> {
    Encryption::parse(text).unwrap().state().unwrap()
}

fn single(passphrase: &str) -> Arc<TargetEncryption> {
    state_target(&format!(
        "{}state {{\n  method = method.aes_gcm.a\n}}\n",
        pbkdf2("a", passphrase)
    ))
}

#[test]
fn round_trip_with_clear_fields() {
    let target = single(OLD);
    let sealed = target
        .encrypt(b"{\"serial\":4}", Some((4, "lin".into())))
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&sealed).into_owned();
    assert!(
        text.starts_with("{\"serial\":4,\"lineage\":\"lin\",\"meta\":{\"key_provider.pbkdf2.a\":")
    );
    assert!(!text.contains(OLD));
    let (decrypted, status) = target.decrypt(&sealed).unwrap();
    assert_eq!(decrypted.unwrap().1, b"{\"serial\":4}");
    assert_eq!(status, Status::Satisfied);
    let another_run = single(OLD);
    assert!(
        another_run.decrypt(&sealed).is_ok(),
        "the metadata derives the key again"
    );
}

#[test]
fn a_wrong_passphrase_or_a_missing_key_is_reported() {
    let sealed = single(OLD).encrypt(b"{}", None).unwrap().unwrap();
    let wrong = single(NEW).decrypt(&sealed).unwrap_err();
    assert!(wrong.contains("does not decrypt"), "{wrong}");
    assert!(!wrong.contains(NEW) && !wrong.contains(OLD));
    let renamed = state_target(&format!(
        "{}state {{\n  method = method.aes_gcm.b\n}}\n",
        pbkdf2("b", OLD)
    ));
    let missing = renamed.decrypt(&sealed).unwrap_err();
    assert!(missing.contains("no key"), "{missing}");
    let unencrypted = single(OLD).decrypt(b"{\"version\":4}").unwrap_err();
    assert!(unencrypted.contains("not encrypted"), "{unencrypted}");
}

#[test]
fn fallback_decrypts_and_the_method_encrypts() {
    let old_sealed = single(OLD).encrypt(b"plain", None).unwrap().unwrap();
    let rotating = state_target(&format!(
        "{}{}state {{\n  method = method.aes_gcm.new\n  fallback {{\n    method = method.aes_gcm.a\n  }}\n}}\n",
        pbkdf2("a", OLD),
        pbkdf2("new", NEW)
    ));
    let (decrypted, status) = rotating.decrypt(&old_sealed).unwrap();
    assert_eq!(decrypted.unwrap().1, b"plain");
    assert_eq!(status, Status::Migration);
    let new_sealed = rotating.encrypt(b"plain", None).unwrap().unwrap();
    assert!(
        single(OLD).decrypt(&new_sealed).is_err(),
        "written with the new key only"
    );
    assert_eq!(rotating.decrypt(&new_sealed).unwrap().1, Status::Satisfied);
}

#[test]
fn unencrypted_method_migrates_in_both_directions() {
    let into = state_target(&format!(
        "{}method \"unencrypted\" \"u\" {{}}\nstate {{\n  method = method.aes_gcm.a\n  fallback {{\n    method = method.unencrypted.u\n  }}\n}}\n",
        pbkdf2("a", OLD)
    ));
    assert_eq!(into.decrypt(b"{}").unwrap(), (None, Status::Migration));
    assert!(into.encrypt(b"{}", None).unwrap().is_some());
    let out_of = state_target(&format!(
        "{}method \"unencrypted\" \"u\" {{}}\nstate {{\n  method = method.unencrypted.u\n  fallback {{\n    method = method.aes_gcm.a\n  }}\n}}\n",
        pbkdf2("a", OLD)
    ));
    let sealed = single(OLD).encrypt(b"x", None).unwrap().unwrap();
    assert_eq!(out_of.decrypt(&sealed).unwrap().1, Status::Migration);
    assert_eq!(
        out_of.encrypt(b"x", None).unwrap(),
        None,
        "written in clear"
    );
    assert_eq!(out_of.decrypt(b"{}").unwrap(), (None, Status::Satisfied));
}
