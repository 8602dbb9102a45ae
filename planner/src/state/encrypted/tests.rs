//! Tests of the local store with encryption: the state file, its backup and the journal hold
//! no attribute in clear, a journal replays through its envelopes, and a missing key leaves
//! the files untouched.

use super::*;
use crate::encryption::Encryption;
use crate::state::{LocalStore, State, StateStore};
use crate::test_support::{instance_addr as addr, stored_tenant as object};

fn target(passphrase: &str) -> Option<Arc<TargetEncryption>> {
    Encryption::parse(&format!(
        "key_provider \"pbkdf2\" \"k\" {{\n  passphrase = \"{passphrase}\"\n  iterations = 200000\n}}\n\
         method \"aes_gcm\" \"m\" {{\n  keys = key_provider.pbkdf2.k\n}}\n\
         state {{\n  method = method.aes_gcm.m\n}}\n"
    ))
    .unwrap()
    .state()
}

fn store(dir: &std::path::Path, passphrase: Option<&str>) -> LocalStore {
    LocalStore::in_dir(dir).with_encryption(EncryptionChoice::Fixed(passphrase.and_then(target)))
}

fn assert_hidden(path: &std::path::Path) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("\"encryption_version\":\"v0\""), "{text}");
    assert!(
        !text.contains("globex"),
        "{} shows an attribute",
        path.display()
    );
}

#[test]
fn state_backup_and_journal_are_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let key = "a-long-enough-passphrase";
    let first = store(dir.path(), Some(key));
    let mut state = State::new();
    state.set_instance(addr("tenant.globex"), object("globex"));
    state.serial = first.write(&state).unwrap();
    assert_hidden(first.state_path());

    let second = store(dir.path(), Some(key));
    let read = second.read().unwrap().unwrap();
    second
        .record(&addr("tenant.other"), Some(&object("globex-2")))
        .unwrap();
    for line in std::fs::read_to_string(second.journal_path())
        .unwrap()
        .lines()
        .skip(1)
    {
        assert!(line.contains("\"encryption_version\":\"v0\"") && !line.contains("globex"));
    }
    let replayed = store(dir.path(), Some(key)).read().unwrap().unwrap();
    assert_eq!(
        replayed.instances.len(),
        2,
        "the journal replays through its envelopes"
    );

    let mut changed = read;
    changed.set_instance(addr("tenant.third"), object("globex-3"));
    second.write(&changed).unwrap();
    assert_hidden(second.state_path());
    assert_hidden(second.backup_path());
}

#[test]
fn without_the_key_nothing_is_read_or_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = State::new();
    state.set_instance(addr("tenant.globex"), object("globex"));
    store(dir.path(), Some("a-long-enough-passphrase"))
        .write(&state)
        .unwrap();
    let before = std::fs::read(dir.path().join("terraform.tfstate")).unwrap();

    let keyless = store(dir.path(), None);
    let err = keyless.read().unwrap_err().to_string();
    assert!(
        err.contains("terraform.tfstate") && err.contains("no key"),
        "{err}"
    );
    assert!(keyless.write(&state).is_err());
    let wrong = store(dir.path(), Some("another-long-passphrase"));
    let err = wrong.read().unwrap_err().to_string();
    assert!(err.contains("does not decrypt"), "{err}");
    assert!(wrong.write(&State::new()).is_err());
    assert_eq!(
        std::fs::read(dir.path().join("terraform.tfstate")).unwrap(),
        before
    );
}
