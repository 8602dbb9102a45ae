//! Tests of import by id and by natural key for every resource type, and of the tenant's
//! status change planned as an in-place update.

use std::collections::BTreeSet;
use std::sync::Mutex;

use super::*;
use crate::backend::{
    ApiKeyRecord, AuditEntry, Backend, BackendError, DatabaseRecord, GrantRecord, PolicyRecord,
    StorageRecord, Store, TenantStore, UserRecord, UserStore,
};
use crate::values::string_set_value;

/// Everything a tenant can have, created through the resources.
struct Fixture {
    states: BTreeMap<&'static str, Value>,
}

fn id_of(state: &Value) -> String {
    state.get_attr("id").unwrap().as_str().unwrap().to_string()
}

fn fixture(backend: &dyn Backend) -> Fixture {
    let tenant = create(&Managed(TenantKind), &tenant_config("acme"), backend);
    let tenant_id = tenant.get_attr("id").unwrap().clone();
    let database = create_database(backend, &tenant_id, "main");
    let user = create_user(backend, &tenant_id, "jo@acme.io", "admin");
    let privileges: BTreeSet<String> = ["read".to_string()].into();
    let grant = create(
        &Managed(GrantKind),
        &config(
            &Managed(GrantKind),
            &[
                ("user_id", user.get_attr("id").unwrap().clone()),
                ("database_id", database.get_attr("id").unwrap().clone()),
                ("privileges", string_set_value(&privileges)),
            ],
        ),
        backend,
    );
    let storage = create(
        &Managed(StorageKind),
        &config(
            &Managed(StorageKind),
            &[("tenant_id", tenant_id.clone()), ("quota_gb", int_value(1))],
        ),
        backend,
    );
    let api_key = create(
        &Managed(ApiKeyKind),
        &config(
            &Managed(ApiKeyKind),
            &[
                ("tenant_id", tenant_id.clone()),
                ("name", Value::string("ci")),
                ("scopes", string_set_value(&privileges)),
            ],
        ),
        backend,
    );
    let policy = create(
        &Managed(PolicyKind),
        &config(&Managed(PolicyKind), &[("tenant_id", tenant_id)]),
        backend,
    );
    Fixture {
        states: BTreeMap::from([
            ("tenant", tenant),
            ("tenant_database", database),
            ("tenant_user", user),
            ("tenant_grant", grant),
            ("tenant_storage", storage),
            ("tenant_api_key", api_key),
            ("tenant_policy", policy),
        ]),
    }
}

/// The natural key of each fixture object.
const NATURAL_KEYS: &[(&str, &str)] = &[
    ("tenant", "acme"),
    ("tenant_database", "acme/main"),
    ("tenant_user", "acme/jo@acme.io"),
    ("tenant_grant", "acme/jo@acme.io/main"),
    ("tenant_storage", "acme"),
    ("tenant_api_key", "acme/ci"),
    ("tenant_policy", "acme"),
];

/// The state import yields: what read yields, without the secrets only the create response
/// had.
fn without_secrets(state: &Value) -> Value {
    let mut state = state.clone();
    for secret in ["password", "secret"] {
        if state.get_attr(secret).is_some() {
            state = with(&state, secret, Value::Null);
        }
    }
    state
}

#[test]
fn every_resource_imports_by_id_and_by_natural_key() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let fixture = fixture(&backend);
    let types = all_resource_types();
    assert_eq!(types.len(), NATURAL_KEYS.len());
    for (type_name, natural_key) in NATURAL_KEYS {
        let resource = &types[type_name];
        let state = &fixture.states[type_name];
        let expected = without_secrets(&resource.read(state, &backend).unwrap());
        let by_id = resource.import(&id_of(state), &backend).unwrap();
        assert_eq!(by_id, expected, "{type_name} by id");
        let by_key = resource
            .import(natural_key, &backend)
            .unwrap_or_else(|d| panic!("{type_name} by {natural_key}: {d:?}"));
        assert_eq!(by_key, expected, "{type_name} by {natural_key}");
    }
}

#[test]
fn unknown_keys_are_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    fixture(&backend);
    let types = all_resource_types();
    for (type_name, key) in [
        ("tenant", "nope"),
        ("tenant_database", "acme/other"),
        ("tenant_database", "nope/main"),
        ("tenant_user", "acme/nobody@acme.io"),
        ("tenant_grant", "acme/jo@acme.io"),
        ("tenant_api_key", "acme/ci/extra"),
        ("tenant_storage", "00000000-0000-4000-8000-000000000000"),
    ] {
        let error = types[type_name].import(key, &backend).unwrap_err();
        let diagnostic = error.iter().next().unwrap();
        assert!(
            diagnostic.summary.starts_with("Cannot import non-existent"),
            "{type_name} {key}: {diagnostic:?}"
        );
    }
}

/// Records what import asked the backend to discover.
struct Discovering<'a> {
    inner: &'a dyn Backend,
    calls: Mutex<Vec<String>>,
}

impl Discovering<'_> {
    fn record(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }
}

impl Backend for Discovering<'_> {
    fn tenants(&self) -> &dyn TenantStore {
        self.inner.tenants()
    }
    fn databases(&self) -> &dyn Store<DatabaseRecord> {
        self.inner.databases()
    }
    fn users(&self) -> &dyn UserStore {
        self.inner.users()
    }
    fn grants(&self) -> &dyn Store<GrantRecord> {
        self.inner.grants()
    }
    fn storage(&self) -> &dyn Store<StorageRecord> {
        self.inner.storage()
    }
    fn api_keys(&self) -> &dyn Store<ApiKeyRecord> {
        self.inner.api_keys()
    }
    fn policies(&self) -> &dyn Store<PolicyRecord> {
        self.inner.policies()
    }
    fn audit_entries(&self) -> Result<Vec<AuditEntry>, BackendError> {
        self.inner.audit_entries()
    }

    fn discover_database(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> Result<Option<DatabaseRecord>, BackendError> {
        self.record(format!("database {name}"));
        self.inner.discover_database(tenant_id, name)
    }
    fn discover_user(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> Result<Option<UserRecord>, BackendError> {
        self.record(format!("user {email}"));
        self.inner.discover_user(tenant_id, email)
    }
    fn discover_grant(
        &self,
        user_id: &str,
        database_id: &str,
    ) -> Result<Option<GrantRecord>, BackendError> {
        self.record("grant".to_string());
        self.inner.discover_grant(user_id, database_id)
    }
}

#[test]
fn natural_key_imports_discover_live_objects() {
    let dir = tempfile::tempdir().unwrap();
    let inner = backend(&dir);
    let fixture = fixture(&inner);
    let backend = Discovering {
        inner: &inner,
        calls: Mutex::new(Vec::new()),
    };
    Managed(DatabaseKind).import("acme/main", &backend).unwrap();
    Managed(UserKind)
        .import("acme/jo@acme.io", &backend)
        .unwrap();
    Managed(GrantKind)
        .import("acme/jo@acme.io/main", &backend)
        .unwrap();
    assert_eq!(
        *backend.calls.lock().unwrap(),
        [
            "database main",
            "user jo@acme.io",
            "user jo@acme.io",
            "database main",
            "grant"
        ]
    );
    // By id, nothing is discovered.
    backend.calls.lock().unwrap().clear();
    Managed(GrantKind)
        .import(&id_of(&fixture.states["tenant_grant"]), &backend)
        .unwrap();
    assert!(backend.calls.lock().unwrap().is_empty());
}

#[test]
fn suspending_a_tenant_is_an_in_place_update_with_its_effects() {
    let dir = tempfile::tempdir().unwrap();
    let backend = backend(&dir);
    let fixture = fixture(&backend);
    let tenant = &fixture.states["tenant"];
    let suspended = with(&tenant_config("acme"), "status", Value::string("suspended"));
    let output = plan(&Managed(TenantKind), tenant, &suspended, &backend);
    assert!(output.requires_replace.is_empty());
    assert_eq!(output.planned.get_attr("id"), tenant.get_attr("id"));
    let applied = apply(&Managed(TenantKind), tenant, &output.planned, &backend);
    assert_conforms(&output.planned, &applied.new_state);
    let login = fixture.states["tenant_user"].get_attr("login").unwrap();
    assert_eq!(
        backend.login_enabled(login.as_str().unwrap()).unwrap(),
        Some(false)
    );
    let key_id = id_of(&fixture.states["tenant_api_key"]);
    assert!(backend.api_keys().get(&key_id).unwrap().unwrap().suspended);
    // The key's state does not change: suspension is the tenant's, not the key's.
    let key_state = &fixture.states["tenant_api_key"];
    assert_eq!(
        Managed(ApiKeyKind).read(key_state, &backend).unwrap(),
        *key_state
    );
}
