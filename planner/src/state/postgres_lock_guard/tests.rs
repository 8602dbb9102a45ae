//! Tests of the lock record and the pieces of the check that need no server.

use super::*;

#[test]
fn keys_split_as_pg_locks_shows_them() {
    assert_eq!(key_halves(42), (0, 42));
    assert_eq!(key_halves(-1), (0xffff_ffff, 0xffff_ffff));
    assert_eq!(key_halves(7 << 32 | 9), (7, 9));
}

#[test]
fn the_record_is_set_and_cleared() {
    let held = HeldSession::default();
    set(&held, Some(LockSession { pid: 12, key: 3 }));
    assert_eq!(*held.lock().unwrap(), Some(LockSession { pid: 12, key: 3 }));
    set(&held, None);
    assert_eq!(*held.lock().unwrap(), None);
}

#[test]
fn the_refusal_says_nothing_was_written_and_names_the_session() {
    let message = lock_lost_message(4242);
    assert!(message.contains("no longer held"));
    assert!(message.contains("4242"));
    assert!(message.contains("Nothing was written"));
}
