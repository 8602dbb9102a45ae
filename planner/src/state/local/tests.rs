//! Tests of the local store: atomic writes, backups, refusals that keep bytes intact, locking,
//! and journal replay after a crash.

use std::time::Duration;

use super::*;
use crate::addrs::InstanceAddr;
use crate::state::{DeposedChange, LockInfo};
use crate::test_support::{instance_addr as addr, stored_tenant as object};

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn write_is_atomic_keeps_a_backup_and_owns_the_serial() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    assert!(store.read().unwrap().is_none());

    let mut state = State::new();
    state.set_instance(addr("tenant.acme"), object("acme"));
    state.serial = store.write(&state).unwrap();
    assert_eq!(state.serial, 1);
    assert_eq!(
        dir_entries(dir.path()),
        ["terraform.tfstate", "terraform.tfstate.digest"],
        "no temp files, no backup of nothing"
    );

    assert_eq!(
        store.write(&state).unwrap(),
        1,
        "unchanged content is not rewritten"
    );
    state.set_instance(addr("tenant.globex"), object("globex"));
    state.serial = store.write(&state).unwrap();
    assert_eq!(state.serial, 2);
    assert_eq!(
        dir_entries(dir.path()),
        ["terraform.tfstate", "terraform.tfstate.digest"]
    );

    // A new run: its first write keeps the previous content as the backup.
    let before = std::fs::read(store.state_path()).unwrap();
    let next_run = LocalStore::in_dir(dir.path());
    let mut state = next_run.read().unwrap().unwrap();
    state.remove_instance(&addr("tenant.acme"));
    assert_eq!(next_run.write(&state).unwrap(), 3);
    assert_eq!(std::fs::read(next_run.backup_path()).unwrap(), before);
    assert_eq!(
        dir_entries(dir.path()),
        [
            "terraform.tfstate",
            "terraform.tfstate.backup",
            "terraform.tfstate.digest"
        ]
    );
    let reread = LocalStore::in_dir(dir.path()).read().unwrap().unwrap();
    assert_eq!(reread.serial, 3);
    assert_eq!(reread.instances.len(), 1);
}

#[test]
fn corrupt_foreign_and_newer_files_are_reported_and_left_intact() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"{\"version\": 4, \"serial\": 1,\n garbage",
            "is not valid JSON at line 2 column",
        ),
        (
            br#"{"name": "app", "version": "2.0.0"}"#,
            "is not a Terraform state file",
        ),
        (
            br#"{"version": 5, "serial": 3, "lineage": "l"}"#,
            "state file version 5 is newer",
        ),
    ];
    for (content, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::in_dir(dir.path());
        std::fs::write(store.state_path(), content).unwrap();
        let err = store.read().unwrap_err();
        assert!(err.to_string().contains(message), "{err}");
        let mut state = State::new();
        state.set_instance(addr("tenant.acme"), object("acme"));
        assert!(
            store.write(&state).is_err(),
            "overwrote a file it cannot read"
        );
        assert!(
            store
                .record(&addr("tenant.acme"), Some(&object("acme")))
                .is_err()
        );
        assert_eq!(std::fs::read(store.state_path()).unwrap(), content);
        assert_eq!(dir_entries(dir.path()), ["terraform.tfstate"]);
    }
}

#[test]
fn a_state_from_another_lineage_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    store.write(&State::new()).unwrap();
    let before = std::fs::read(store.state_path()).unwrap();
    let other = LocalStore::in_dir(dir.path());
    let err = other.write(&State::new()).unwrap_err();
    assert!(matches!(err, StateError::LineageMismatch { .. }), "{err}");
    assert_eq!(std::fs::read(store.state_path()).unwrap(), before);
}

#[test]
fn a_held_lock_reports_its_holder_until_released() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let held = store.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let on_disk: LockInfo =
        serde_json::from_slice(&std::fs::read(store.lock_path()).unwrap()).unwrap();
    assert_eq!(&on_disk, held.info());
    assert!(on_disk.who.contains('@'));

    // Another open file handle (as another process would have) cannot take it.
    let other = LocalStore::in_dir(dir.path());
    let err = other
        .lock("OperationTypePlan", Duration::from_millis(120))
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("Error acquiring the state lock"),
        "{message}"
    );
    for part in [
        &on_disk.id,
        &on_disk.who,
        "OperationTypeApply",
        &on_disk.created,
    ] {
        assert!(message.contains(part), "{message} lacks {part}");
    }

    drop(held);
    assert!(
        !store.lock_path().exists(),
        "the lock info is removed on release"
    );
    let again = other.lock("OperationTypePlan", Duration::ZERO).unwrap();
    assert_eq!(again.info().operation, "OperationTypePlan");
}

#[test]
fn a_lock_released_while_waiting_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let held = store.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
    });
    let waited = LocalStore::in_dir(dir.path()).lock("OperationTypePlan", Duration::from_secs(10));
    assert!(waited.is_ok(), "{:?}", waited.err());
    releaser.join().unwrap();
}

#[test]
fn journal_is_replayed_after_a_crash_and_removed_by_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let mut state = State::new();
    state.set_instance(addr("tenant.acme"), object("acme"));
    state.serial = store.write(&state).unwrap();

    // A key that the textual address syntax cannot carry survives the journal exactly.
    let keyed = InstanceAddr {
        key: crate::addrs::InstanceKey::Str("a]\"b\\".into()),
        ..addr("tenant_user.admin")
    };
    store
        .record(&addr("tenant.globex"), Some(&object("globex")))
        .unwrap();
    store.record(&keyed, Some(&object("user"))).unwrap();
    store.record(&addr("tenant.acme"), None).unwrap();
    // The process dies here: no compaction.
    drop(store);

    let store = LocalStore::in_dir(dir.path());
    let replayed = store.read().unwrap().unwrap();
    assert_eq!(replayed.serial, 1);
    let addrs: Vec<String> = replayed.instances.keys().map(ToString::to_string).collect();
    assert_eq!(addrs.len(), 2, "{addrs:?}");
    assert_eq!(replayed.get(&keyed), Some(&object("user")));
    assert!(replayed.get(&addr("tenant.acme")).is_none());

    // The next run keeps appending to the same journal, then compacts.
    store
        .record(&addr("tenant.initech"), Some(&object("initech")))
        .unwrap();
    let mut state = store.read().unwrap().unwrap();
    assert_eq!(state.instances.len(), 3);
    state.serial = store.compact(&state).unwrap();
    assert_eq!(state.serial, 2);
    assert!(!store.journal_path().exists());
    let names = dir_entries(dir.path());
    assert_eq!(
        names,
        [
            "terraform.tfstate",
            "terraform.tfstate.backup",
            "terraform.tfstate.digest"
        ]
    );
    assert_eq!(
        LocalStore::in_dir(dir.path()).read().unwrap().unwrap(),
        state
    );
}

#[test]
fn a_torn_last_journal_line_is_ignored_and_other_damage_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    store
        .record(&addr("tenant.acme"), Some(&object("acme")))
        .unwrap();
    store
        .record(&addr("tenant.globex"), Some(&object("globex")))
        .unwrap();
    drop(store);
    let journal_path = dir.path().join("terraform.tfstate.journal");
    let intact = std::fs::read(&journal_path).unwrap();
    // Simulate a crash in the middle of appending the third record.
    let mut torn = intact.clone();
    torn.extend_from_slice(br#"{"set":{"addr":{"data":false,"type":"tenant","na"#);
    std::fs::write(&journal_path, &torn).unwrap();

    let store = LocalStore::in_dir(dir.path());
    let state = store.read().unwrap().unwrap();
    assert_eq!(
        state.instances.len(),
        2,
        "no state file: the journal alone is replayed"
    );
    // Appending first cuts the torn tail off, so the new record stays readable.
    store
        .record(&addr("tenant.initech"), Some(&object("initech")))
        .unwrap();
    assert_eq!(
        LocalStore::in_dir(dir.path())
            .read()
            .unwrap()
            .unwrap()
            .instances
            .len(),
        3
    );

    // Damage before the last line is not a crash artifact: refuse, keep the bytes.
    let mut damaged = intact.clone();
    let second_line = damaged.iter().position(|b| *b == b'\n').unwrap() + 1;
    damaged[second_line] = b'#';
    std::fs::write(&journal_path, &damaged).unwrap();
    let err = LocalStore::in_dir(dir.path()).read().unwrap_err();
    assert!(
        matches!(err, StateError::CorruptJournal { line: 2, .. }),
        "{err}"
    );
    assert_eq!(std::fs::read(&journal_path).unwrap(), damaged);
}

#[test]
fn a_journal_older_than_the_state_file_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let mut state = State::new();
    state.serial = store.write(&state).unwrap();
    store
        .record(&addr("tenant.acme"), Some(&object("acme")))
        .unwrap();
    let journal = std::fs::read(store.journal_path()).unwrap();
    // A crash after the compacted state file was renamed but before the journal was removed.
    state.set_instance(addr("tenant.acme"), object("acme"));
    state.set_instance(addr("tenant.later"), object("later"));
    store.compact(&state).unwrap();
    std::fs::write(store.journal_path(), &journal).unwrap();
    let mut later = state.clone();
    later.remove_instance(&addr("tenant.acme"));
    store.write(&later).unwrap();
    std::fs::write(store.journal_path(), &journal).unwrap();

    let read = LocalStore::in_dir(dir.path()).read().unwrap().unwrap();
    assert!(
        read.get(&addr("tenant.acme")).is_none(),
        "a stale journal must not resurrect"
    );
    assert_eq!(read.instances.len(), 1);
}

#[test]
fn deposed_changes_are_journaled_replayed_and_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let acme = addr("tenant.acme");
    let mut state = State::new();
    state.set_instance(acme.clone(), object("old"));
    state.serial = store.write(&state).unwrap();
    let depose = |key: &str| DeposedChange::Depose {
        addr: acme.clone(),
        key: key.into(),
    };

    // A create-before-destroy that crashed after the create: both objects are tracked.
    store.record_deposed(&depose("1a2b3c4d")).unwrap();
    store.record(&acme, Some(&object("new"))).unwrap();
    let crashed = LocalStore::in_dir(dir.path()).read().unwrap().unwrap();
    assert_eq!(crashed.get(&acme), Some(&object("new")));
    let deposed: Vec<_> = crashed.deposed_of(&acme).collect();
    assert_eq!(deposed, vec![("1a2b3c4d", &object("old"))]);

    // Compaction writes the deposed object into the state file, as Terraform does.
    let next_run = LocalStore::in_dir(dir.path());
    next_run.compact(&crashed).unwrap();
    assert!(!next_run.journal_path().exists());
    let text = std::fs::read_to_string(next_run.state_path()).unwrap();
    assert!(text.contains("\"deposed\": \"1a2b3c4d\""), "{text}");
    let compacted = next_run.read().unwrap().unwrap();
    assert_eq!(compacted.deposed, crashed.deposed);

    // Its later deletion, and a restore after a create that produced nothing.
    next_run
        .record_deposed(&DeposedChange::Remove {
            addr: acme.clone(),
            key: "1a2b3c4d".into(),
        })
        .unwrap();
    next_run.record_deposed(&depose("99aabbcc")).unwrap();
    next_run
        .record_deposed(&DeposedChange::Restore {
            addr: acme.clone(),
            key: "99aabbcc".into(),
        })
        .unwrap();
    let replayed = LocalStore::in_dir(dir.path()).read().unwrap().unwrap();
    assert!(replayed.deposed.is_empty());
    assert_eq!(replayed.get(&acme), Some(&object("new")));
}

#[test]
fn journals_written_before_deposed_records_still_replay() {
    let dir = tempfile::tempdir().unwrap();
    let journal = concat!(
        "{\"journal\":1,\"lineage\":null,\"base_serial\":0}\n",
        "{\"set\":{\"addr\":{\"data\":false,\"type\":\"tenant\",\"name\":\"a\",\"key\":null},",
        "\"instance\":{\"provider\":\"registry.terraform.io/tenantform/tenant\",",
        "\"schema_version\":1,\"attributes\":{\"id\":\"a\"},\"sensitive_attributes\":[]}}}\n",
        "{\"remove\":{\"addr\":{\"data\":false,\"type\":\"tenant\",\"name\":\"b\",\"key\":null}}}\n",
    );
    std::fs::write(dir.path().join("terraform.tfstate.journal"), journal).unwrap();
    let state = LocalStore::in_dir(dir.path()).read().unwrap().unwrap();
    let addrs: Vec<String> = state.instances.keys().map(ToString::to_string).collect();
    assert_eq!(addrs, ["tenant.a"]);
}

#[test]
fn moves_are_journaled_as_one_record_and_replayed_with_deposed_objects() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let (old, new) = (addr("tenant.acme"), addr("module.t[\"acme\"].tenant.this"));
    let mut state = State::new();
    state.set_instance(old.clone(), object("current"));
    state
        .deposed
        .insert((old.clone(), "1a2b3c4d".into()), object("deposed"));
    state.set_instance(addr("tenant.other"), object("other"));
    state.serial = store.write(&state).unwrap();

    store.record_move(&old, &new).unwrap();
    let journal = std::fs::read_to_string(store.journal_path()).unwrap();
    assert_eq!(journal.lines().count(), 2, "{journal}");
    let replayed = LocalStore::in_dir(dir.path()).read().unwrap().unwrap();
    assert_eq!(replayed.get(&old), None);
    assert_eq!(replayed.get(&new), Some(&object("current")));
    let deposed: Vec<_> = replayed.deposed_of(&new).collect();
    assert_eq!(deposed, vec![("1a2b3c4d", &object("deposed"))]);
    assert_eq!(replayed.get(&addr("tenant.other")), Some(&object("other")));

    // A replayed move never overwrites what is already at its destination.
    let mut blocked = replayed.clone();
    blocked.move_instance(&addr("tenant.other"), &new);
    assert_eq!(blocked, replayed);
}

#[test]
fn the_written_file_has_terraforms_layout_with_every_object_indented() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::in_dir(dir.path());
    let mut state = State::new();
    let mut nested = object("acme");
    nested.attributes = crate::state::StoredJson::from_json(&serde_json::json!({
        "id": "acme", "labels": {"env": "prod"}, "contact": [{"name": "Ada"}], "none": []
    }));
    state.set_instance(addr("tenant.acme"), nested);
    store.write(&state).unwrap();
    let bytes = std::fs::read(dir.path().join("terraform.tfstate")).unwrap();
    let document: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut expected = serde_json::to_vec_pretty(&document).unwrap();
    expected.push(b'\n');
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        String::from_utf8(expected).unwrap()
    );
}
