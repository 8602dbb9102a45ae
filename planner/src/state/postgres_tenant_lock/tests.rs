//! Per-tenant locks and merging writes of the PostgreSQL store against a real throw-away
//! server: shared state locks that coexist and exclude the exclusive one, partition locks
//! that name their holder, merges that keep each other's instances, and the journal rows of
//! a crashed writer folded by the next merge.

use std::collections::BTreeSet;
use std::time::Duration;

use acceptance_tests::postgres::{PostgresServer, Profile};

use crate::state::tenant_scope::{self, ApplyScope, TenantLocking};
use crate::state::{PgSettings, PgStore, State, StateError, StateStore};
use crate::test_support::{instance_addr as addr, stored_tenant as object};

fn server() -> PostgresServer {
    PostgresServer::start(Profile::Superuser).expect("start a PostgreSQL server")
}

fn store(server: &PostgresServer) -> PgStore {
    let settings = PgSettings::new(format!("{}?sslmode=disable", server.superuser_dsn()));
    PgStore::new(settings, "default").expect("a store")
}

fn sql(server: &PostgresServer, query: &str) -> String {
    server
        .psql(&server.superuser_dsn(), query)
        .expect("psql")
        .trim()
        .to_string()
}

fn tenants(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(ToString::to_string).collect()
}

const A: &str = "module.tenant[\"a\"].tenant.this";
const B: &str = "module.tenant[\"b\"].tenant.this";

/// A state with tenant a's object, written under the exclusive lock.
fn seeded(server: &PostgresServer) -> State {
    let seed = store(server);
    let _lock = seed.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let mut state = State::new();
    state.set_instance(addr(A), object("a1"));
    state.serial = seed.write(&state).unwrap();
    state
}

/// Merges `applied` for `scope` through `store`, as an apply does.
fn merge_write(store: &PgStore, applied: &State, scope: &ApplyScope) -> Option<u64> {
    let base = store.merge_base().unwrap();
    let merged = tenant_scope::merge(&base.state, applied, scope);
    store.write_merged(&merged, &base).unwrap()
}

#[test]
fn shared_locks_coexist_and_exclude_the_exclusive_lock_both_ways() {
    let server = server();
    seeded(&server);
    let (first, second, exclusive) = (store(&server), store(&server), store(&server));
    let one = first
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let two = second
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    assert!(one.is_some() && two.is_some(), "two shared holders at once");
    let refused = exclusive
        .lock("OperationTypeApply", Duration::ZERO)
        .unwrap_err();
    assert!(
        refused.to_string().contains("Workspace is already locked"),
        "{refused}"
    );
    drop((one, two));
    let held = exclusive
        .lock("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let Err(refused) = first.lock_shared("OperationTypeApply", Duration::from_millis(300)) else {
        panic!("a shared lock under the exclusive one")
    };
    assert!(matches!(refused, StateError::Locked { .. }), "{refused}");
    drop(held);
}

#[test]
fn no_state_row_means_no_shared_lock() {
    let server = server();
    assert!(
        store(&server)
            .lock_shared("OperationTypeApply", Duration::ZERO)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_partition_lock_names_its_holder_until_released() {
    let server = server();
    seeded(&server);
    let (first, second) = (store(&server), store(&server));
    let one = first
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap()
        .unwrap();
    let two = second
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap()
        .unwrap();
    one.lock_partitions(&tenants(&["a"]), Duration::ZERO)
        .unwrap();
    two.lock_partitions(&tenants(&["b"]), Duration::ZERO)
        .expect("another tenant is free");
    let busy = two
        .lock_partitions(&tenants(&["c", "a"]), Duration::from_millis(300))
        .unwrap_err();
    let message = busy.to_string();
    assert!(
        message.contains("Tenant \"a\" is already locked"),
        "{message}"
    );
    assert!(message.contains("OperationTypeApply"), "{message}");
    assert!(message.contains("tenant \"a\""), "{message}");
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_locks"
        ),
        "2",
        "the held partitions a and b only: c was released with the failed attempt"
    );
    drop(one);
    two.lock_partitions(&tenants(&["a"]), Duration::ZERO)
        .expect("free once its holder is gone");
    drop(two);
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_locks"
        ),
        "0"
    );
}

#[test]
fn merging_writes_keep_each_others_instances_and_bump_the_serial_each_time() {
    let server = server();
    let seed = seeded(&server);
    let (first, second) = (store(&server), store(&server));
    let _one = first
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let _two = second
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let read_one = first.read().unwrap().unwrap();
    let read_two = second.read().unwrap().unwrap();

    let mut applied_one = read_one.clone();
    applied_one.set_instance(addr(A), object("a2"));
    first.record(&addr(A), Some(&object("a2"))).unwrap();
    let mut applied_two = read_two.clone();
    applied_two.set_instance(addr(B), object("b1"));
    second.record(&addr(B), Some(&object("b1"))).unwrap();

    // While both are pending, a reader sees both journal rows.
    let pending = store(&server).read().unwrap().unwrap();
    assert_eq!(pending.get(&addr(A)), Some(&object("a2")));
    assert_eq!(pending.get(&addr(B)), Some(&object("b1")));

    let scope_a = ApplyScope::new([addr(A)].into());
    let scope_b = ApplyScope::new([addr(B)].into());
    assert_eq!(
        merge_write(&first, &applied_one, &scope_a),
        Some(seed.serial + 1)
    );
    // The second one's pending row still applies over the first one's merge.
    let between = store(&server).read().unwrap().unwrap();
    assert_eq!(between.get(&addr(B)), Some(&object("b1")));
    assert_eq!(
        merge_write(&second, &applied_two, &scope_b),
        Some(seed.serial + 2)
    );

    let stored = store(&server).read().unwrap().unwrap();
    assert_eq!(stored.serial, seed.serial + 2);
    assert_eq!(stored.get(&addr(A)), Some(&object("a2")));
    assert_eq!(stored.get(&addr(B)), Some(&object("b1")));
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_journal"
        ),
        "0"
    );
    assert!(
        first.write(&stored).is_err(),
        "no whole-state write under a shared lock"
    );
}

#[test]
fn a_merge_over_a_moved_state_writes_nothing() {
    let server = server();
    seeded(&server);
    let (first, second) = (store(&server), store(&server));
    let _one = first
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let _two = second
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let base = first.merge_base().unwrap();
    let mut applied = second.read().unwrap().unwrap();
    applied.set_instance(addr(B), object("b1"));
    merge_write(&second, &applied, &ApplyScope::new([addr(B)].into())).unwrap();
    assert_eq!(first.write_merged(&base.state, &base).unwrap(), None);
}

/// A writer that records `A` as `a-recorded` under the shared lock and ends its session
/// without writing the state, as a crash would.
fn leave_crashed_record(server: &PostgresServer) {
    let crashed = store(server);
    let _lock = crashed
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    crashed.read().unwrap();
    crashed
        .record(&addr(A), Some(&object("a-recorded")))
        .unwrap();
}

#[test]
fn a_crashed_writers_rows_are_replayed_then_folded_by_the_next_merge() {
    let server = server();
    let seed = seeded(&server);
    leave_crashed_record(&server);
    let next = store(&server);
    let _lock = next
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    let read = next.read().unwrap().unwrap();
    assert_eq!(read.get(&addr(A)), Some(&object("a-recorded")), "replayed");
    let mut applied = read.clone();
    applied.set_instance(addr(B), object("b1"));
    let serial = merge_write(&next, &applied, &ApplyScope::new([addr(B)].into()));
    assert_eq!(serial, Some(seed.serial + 1));
    assert_eq!(
        sql(
            &server,
            "SELECT count(*) FROM terraform_remote_state.tenantform_journal"
        ),
        "0",
        "the crashed writer's row is folded into the row"
    );
    let stored = store(&server).read().unwrap().unwrap();
    assert_eq!(stored.get(&addr(A)), Some(&object("a-recorded")));
    assert_eq!(stored.get(&addr(B)), Some(&object("b1")));
}

#[test]
fn pending_rows_go_stale_when_another_program_writes_the_state() {
    let server = server();
    let seed = seeded(&server);
    leave_crashed_record(&server);
    // Terraform writes the next serial, knowing nothing of the journal.
    let mut newer = seed.clone();
    newer.serial = seed.serial + 1;
    newer.set_instance(addr(A), object("a-terraform"));
    let data = String::from_utf8(crate::state::format_v4::serialize(&newer)).unwrap();
    sql(
        &server,
        &format!(
            "UPDATE terraform_remote_state.states SET data = '{}'",
            data.replace('\'', "''")
        ),
    );
    let read = store(&server).read().unwrap().unwrap();
    assert_eq!(read.get(&addr(A)), Some(&object("a-terraform")));
}

#[test]
fn force_unlock_ends_a_stuck_tenant_holder_named_by_its_lock_id() {
    let server = server();
    seeded(&server);
    let (stuck, next, operator) = (store(&server), store(&server), store(&server));
    let held = stuck
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap()
        .unwrap();
    held.lock_partitions(&tenants(&["a"]), Duration::ZERO)
        .unwrap();
    let waiting = next
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap()
        .unwrap();
    let Err(StateError::Locked { holder, .. }) =
        waiting.lock_partitions(&tenants(&["a"]), Duration::ZERO)
    else {
        panic!("tenant a is held")
    };
    assert!(
        operator.force_unlock("12345678").is_err(),
        "an ID that names no holder is refused"
    );
    operator.force_unlock(&holder.id).unwrap();
    waiting
        .lock_partitions(&tenants(&["a"]), Duration::from_secs(10))
        .expect("free once the stuck session is ended");
    drop(held);
}

#[test]
fn a_run_that_trades_its_shared_lock_for_the_exclusive_one_writes_the_whole_state() {
    let server = server();
    let seed = seeded(&server);
    let run = store(&server);
    let shared = run
        .lock_shared("OperationTypeApply", Duration::ZERO)
        .unwrap();
    drop(shared);
    let _exclusive = run.lock("OperationTypeApply", Duration::ZERO).unwrap();
    let mut state = run.read().unwrap().unwrap();
    state.set_instance(addr(B), object("b1"));
    assert_eq!(run.compact(&state).unwrap(), seed.serial + 1);
}
