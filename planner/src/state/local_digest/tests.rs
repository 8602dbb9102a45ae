//! Tests of the digest sidecar: damage that still parses is refused naming the file, with the
//! backup untouched; writes by Terraform (a higher serial, or the same content rewritten under
//! the same serial) and restored backups are accepted.

use super::*;
use crate::state::StateStore;
use crate::state::local::LocalStore;
use crate::test_support::{instance_addr as addr, stored_tenant as object};

/// A store in a new directory holding two writes (serials 1 and 2), with a backup of the first.
fn written_twice() -> (tempfile::TempDir, LocalStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let mut state = State::new();
    state.set_instance(addr("tenant.acme"), object("acme"));
    store.write(&state).unwrap();
    let next_run = LocalStore::in_dir(dir.path());
    let mut state = next_run.read().unwrap().unwrap();
    state.set_instance(addr("tenant.globex"), object("globex"));
    assert_eq!(next_run.write(&state).unwrap(), 2);
    let store = LocalStore::in_dir(dir.path());
    (dir, store)
}

fn state_text(store: &LocalStore) -> String {
    std::fs::read_to_string(store.state_path()).unwrap()
}

fn refusal(store: &LocalStore) -> String {
    match store.read() {
        Ok(state) => panic!("a damaged state file was read: {state:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn every_write_records_its_serial_and_digest() {
    let (dir, store) = written_twice();
    let record = read_record(&dir.path().join("terraform.tfstate.digest")).unwrap();
    let state = store.read().unwrap().unwrap();
    assert_eq!(record.serial, 2);
    assert_eq!(record.lineage, state.lineage);
    assert_eq!(record.content_sha256, Some(content_sha256(&state)));
}

#[test]
fn a_changed_value_under_the_same_serial_is_refused_naming_the_file() {
    let (dir, store) = written_twice();
    let backup = std::fs::read(dir.path().join("terraform.tfstate.backup")).unwrap();
    let text = state_text(&store);
    assert!(text.contains("\"globex\""), "{text}");
    std::fs::write(store.state_path(), text.replace("\"globex\"", "\"globey\"")).unwrap();

    let message = refusal(&store);
    assert!(message.contains("terraform.tfstate"), "{message}");
    assert!(message.contains("does not match the digest"), "{message}");
    assert!(message.contains("serial 2"), "{message}");

    // A write refuses too, before it touches the backup.
    let mut state = State::new();
    state.set_instance(addr("tenant.initech"), object("initech"));
    assert!(store.write(&state).is_err());
    assert_eq!(
        std::fs::read(dir.path().join("terraform.tfstate.backup")).unwrap(),
        backup,
        "the backup is untouched"
    );
}

#[test]
fn a_file_truncated_to_nothing_is_refused() {
    let (_dir, store) = written_twice();
    std::fs::write(store.state_path(), b"").unwrap();
    assert!(refusal(&store).contains("the file is empty"));
}

#[test]
fn terraform_rewriting_the_same_content_under_the_same_serial_is_accepted() {
    let (_dir, store) = written_twice();
    let mut document: serde_json::Value = serde_json::from_str(&state_text(&store)).unwrap();
    document["terraform_version"] = serde_json::json!("1.15.5");
    for resource in document["resources"].as_array_mut().unwrap() {
        for instance in resource["instances"].as_array_mut().unwrap() {
            instance["identity_schema_version"] = serde_json::json!(0);
        }
    }
    // Terraform's own layout: other indentation, same content.
    std::fs::write(
        store.state_path(),
        serde_json::to_string(&document).unwrap(),
    )
    .unwrap();
    assert_eq!(store.read().unwrap().unwrap().serial, 2);
}

#[test]
fn a_higher_serial_another_lineage_or_a_restored_backup_is_accepted() {
    let (dir, store) = written_twice();
    let original = state_text(&store);

    let newer = original
        .replace("\"serial\": 2", "\"serial\": 3")
        .replace("\"globex\"", "\"globey\"");
    std::fs::write(store.state_path(), &newer).unwrap();
    assert_eq!(store.read().unwrap().unwrap().serial, 3);

    let lineage = store.read().unwrap().unwrap().lineage;
    let other = original
        .replace(&lineage, "00000000-0000-0000-0000-000000000000")
        .replace("\"globex\"", "\"globey\"");
    std::fs::write(store.state_path(), &other).unwrap();
    assert!(store.read().is_ok());

    std::fs::copy(
        dir.path().join("terraform.tfstate.backup"),
        store.state_path(),
    )
    .unwrap();
    assert_eq!(store.read().unwrap().unwrap().serial, 1);
}

#[test]
fn a_file_with_the_written_bytes_is_accepted_on_its_file_digest_alone() {
    let (dir, store) = written_twice();
    let sidecar = dir.path().join("terraform.tfstate.digest");
    let bytes = std::fs::read(store.state_path()).unwrap();
    let mut record = read_record(&sidecar).unwrap();
    assert_eq!(record.file_sha256, Some(bytes_sha256(&bytes)));
    // With the content digest made wrong, only the file digest can vouch for the file.
    record.content_sha256 = Some("0".repeat(64));
    std::fs::write(&sidecar, serde_json::to_vec(&record).unwrap()).unwrap();
    assert!(store.read().is_ok());
    // Other bytes are checked on their content as before: refused here.
    let text = state_text(&store).replace("\"globex\"", "\"globey\"");
    std::fs::write(store.state_path(), text).unwrap();
    assert!(refusal(&store).contains("does not match the digest"));
}

#[test]
fn a_missing_or_unreadable_sidecar_checks_nothing() {
    let (dir, store) = written_twice();
    let sidecar = dir.path().join("terraform.tfstate.digest");
    std::fs::write(&sidecar, b"{not json").unwrap();
    let changed = state_text(&store).replace("\"globex\"", "\"globey\"");
    std::fs::write(store.state_path(), &changed).unwrap();
    assert!(store.read().is_ok());
    std::fs::remove_file(&sidecar).unwrap();
    assert!(store.read().is_ok());
}

#[test]
fn an_encrypted_state_records_no_content_digest_but_an_empty_file_is_still_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sidecar = dir.path().join("terraform.tfstate.digest");
    let mut state = State::new();
    state.set_instance(addr("tenant.acme"), object("acme"));
    state.serial = 4;
    let written = format_v4::serialize(&state);
    record(&sidecar, &written, "terraform.tfstate", true).unwrap();
    let written = std::fs::read_to_string(&sidecar).unwrap();
    assert!(!written.contains("content_sha256"), "{written}");
    assert!(!written.contains("file_sha256"), "{written}");

    let mut changed = state.clone();
    changed.set_instance(addr("tenant.globex"), object("globex"));
    assert!(
        check(
            &sidecar,
            "terraform.tfstate",
            Some(b"{}"),
            None,
            Some(&changed)
        )
        .is_ok()
    );
    let empty = check(&sidecar, "terraform.tfstate", Some(b""), None, None).unwrap_err();
    assert!(empty.to_string().contains("the file is empty"), "{empty}");
}

#[test]
fn a_state_with_exact_numbers_reads_back_after_its_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let mut state = State::new();
    let mut tenant = object("acme");
    let mut attributes = tenant.attributes.to_json();
    attributes["quota"] = serde_json::from_str("123456789012345678901234567890.5").unwrap();
    tenant.attributes = crate::state::StoredJson::from_json(&attributes);
    state.set_instance(addr("tenant.acme"), tenant);
    store.write(&state).unwrap();
    assert!(LocalStore::in_dir(dir.path()).read().unwrap().is_some());
}

#[test]
fn bytes_that_do_not_parse_remove_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let sidecar = dir.path().join("terraform.tfstate.digest");
    std::fs::write(&sidecar, b"stale").unwrap();
    record(&sidecar, b"", "terraform.tfstate", false).unwrap();
    assert!(!sidecar.exists());
}

#[test]
fn the_digest_is_that_of_the_encoded_document_without_the_serial() {
    let mut state = State::new();
    state.set_instance(addr("tenant.acme"), object("acme"));
    state.set_instance(addr("module.t[\"a\"].tenant.this"), object("a"));
    let mut v4 = format_v4::to_v4(&state);
    v4.serial = 0;
    v4.terraform_version = String::new();
    let document = serde_json::to_value(&v4).unwrap();
    let bytes = serde_json::to_vec(&document).unwrap();
    let expected: String = Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(content_sha256(&state), expected);
}
