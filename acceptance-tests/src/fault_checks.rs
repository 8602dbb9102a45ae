//! The fault matrix's common ending: after a fault (a killed or stopped provider, a restarted
//! PostgreSQL, a failing or damaged state file, a concurrent run) every row runs
//! [`assert_fault_recovered`], which checks that the next apply converges (the plan after it
//! is empty), that the provider's catalog holds exactly the objects of the state, and that
//! the provider's audit log still verifies. Also the process signals the rows inject.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::catalog::{DEFAULT_BACKEND_DIR, RESOURCE_TYPES};
use crate::postgres::PostgresServer;
use crate::process::{CommandSpec, DEFAULT_TIMEOUT, Output, RunningProcess, children_running};
use crate::project::Project;
use crate::state::State;

/// Where the provider keeps its objects and audit log.
#[derive(Clone, Copy)]
pub enum ProviderBackend<'a> {
    /// The embedded backend at its default folder in the working directory.
    Embedded,
    /// The postgres backend on this server (its superuser reads the catalog).
    Postgres(&'a PostgresServer),
}

/// `config` with an empty `backend "pg" {}` in its `terraform` block: the connection comes
/// from `PG_CONN_STR` ([`FaultSubject::init_pg_state`]).
pub fn with_pg_backend(config: &str) -> String {
    config.replacen("terraform {\n", "terraform {\n  backend \"pg\" {}\n", 1)
}

/// A project under a fault: how to run `tenantform` on it and where its provider keeps
/// things.
pub struct FaultSubject<'a> {
    pub project: &'a Project,
    /// Extra environment of every `tenantform` run (e.g. `PG_CONN_STR` for a `pg` state).
    pub env: Vec<(String, String)>,
    pub backend: ProviderBackend<'a>,
}

impl<'a> FaultSubject<'a> {
    /// A project on the embedded backend with a local state.
    pub fn embedded(project: &'a Project) -> FaultSubject<'a> {
        FaultSubject {
            project,
            env: Vec::new(),
            backend: ProviderBackend::Embedded,
        }
    }

    /// Keeps the state in `server` (a plain connection through `PG_CONN_STR`, for a
    /// configuration declaring `backend "pg" {}`, see [`with_pg_backend`]) and runs `init`.
    pub fn init_pg_state(&mut self, server: &PostgresServer) {
        self.env.push((
            "PG_CONN_STR".to_string(),
            format!("{}?sslmode=disable", server.superuser_dsn()),
        ));
        self.tenantform(&["init", "-input=false", "-no-color"])
            .expect_success();
    }

    /// The command line `tenantform ARGS` with the subject's environment.
    pub fn command(&self, args: &[&str]) -> CommandSpec {
        let mut command = self.project.tenantform_command(args);
        command.env.extend(self.env.iter().cloned());
        command
    }

    /// Runs `tenantform ARGS` to completion.
    pub fn tenantform(&self, args: &[&str]) -> Output {
        self.command(args).run(DEFAULT_TIMEOUT)
    }

    /// Starts `tenantform apply -auto-approve` with `extra` flags in the background.
    pub fn start_apply(&self, extra: &[&str]) -> RunningProcess {
        let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.command(&args).spawn(false)
    }

    /// The state as `tenantform state pull` prints it (local or `pg`).
    pub fn pulled_state(&self) -> State {
        let pulled = self.tenantform(&["state", "pull"]);
        pulled.expect_success();
        State::parse(&pulled.stdout)
            .unwrap_or_else(|error| panic!("state pull is not a state: {error}\n{}", pulled.stdout))
    }

    /// Live object ids per resource type in the provider's backend, each list sorted.
    pub fn catalog_ids(&self) -> BTreeMap<String, Vec<String>> {
        match self.backend {
            ProviderBackend::Embedded => {
                let catalog = self.project.catalog();
                RESOURCE_TYPES
                    .iter()
                    .map(|kind| (kind.to_string(), catalog.ids(kind)))
                    .collect()
            }
            ProviderBackend::Postgres(server) => postgres_catalog_ids(server),
        }
    }

    /// How many live objects the provider's backend holds (one query on postgres, so that it
    /// can be polled during an apply; 0 before the catalog exists).
    pub fn catalog_size(&self) -> usize {
        match self.backend {
            ProviderBackend::Embedded => self.catalog_ids().values().map(Vec::len).sum(),
            ProviderBackend::Postgres(server) => {
                let sum = POSTGRES_CATALOG
                    .iter()
                    .map(|(_, from)| format!("(SELECT count(*) FROM tenant_catalog.{from})"))
                    .collect::<Vec<_>>()
                    .join(" + ");
                server
                    .psql(&server.superuser_dsn(), &format!("SELECT {sum}"))
                    .map_or(0, |count| count.trim().parse().unwrap_or(0))
            }
        }
    }

    /// `terraform-provider-tenant audit verify` against the provider's backend.
    pub fn verify_audit(&self) -> Output {
        let mut args = vec!["audit".to_string(), "verify".to_string()];
        match self.backend {
            ProviderBackend::Embedded => args.extend([
                "--path".to_string(),
                self.project.path(DEFAULT_BACKEND_DIR).display().to_string(),
            ]),
            ProviderBackend::Postgres(server) => args.extend([
                "--backend".to_string(),
                "postgres".to_string(),
                "--dsn".to_string(),
                server.dsn(),
            ]),
        }
        CommandSpec {
            program: self.project.binaries().provider.clone(),
            args,
            cwd: self.project.work_dir(),
            env: vec![
                (
                    "PATH".to_string(),
                    "/usr/local/bin:/usr/bin:/bin".to_string(),
                ),
                ("LANG".to_string(), "C.UTF-8".to_string()),
            ],
        }
        .run(DEFAULT_TIMEOUT)
    }

    /// The provider processes `apply` runs right now.
    pub fn providers_of(&self, apply: &RunningProcess) -> Vec<u32> {
        children_running(apply.pid(), &self.project.binaries().provider)
    }
}

/// The three checks that end every row of the fault matrix: the next apply converges (a
/// following plan is empty), the catalog equals the state, the audit chain verifies.
pub fn assert_fault_recovered(subject: &FaultSubject<'_>) {
    let applied = subject.tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(
        applied.code,
        Some(0),
        "the apply after the fault should succeed\n{}",
        applied.describe()
    );
    let plan = subject.tenantform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(
        plan.code,
        Some(0),
        "the plan after the recovering apply should be empty\n{}",
        plan.describe()
    );

    let state = subject.pulled_state();
    let catalog = subject.catalog_ids();
    for resource_type in RESOURCE_TYPES {
        let in_state = state.ids_of_type(resource_type);
        let mut unique = in_state.clone();
        unique.dedup();
        assert_eq!(unique, in_state, "the state holds a {resource_type} twice");
        assert_eq!(
            catalog.get(resource_type).cloned().unwrap_or_default(),
            in_state,
            "catalog (left) and state (right) disagree on {resource_type}"
        );
    }
    assert!(
        state
            .instances
            .iter()
            .all(|instance| instance.id().is_some()),
        "every instance in the state has an id after recovering: {:?}",
        state.addresses()
    );

    let audit = subject.verify_audit();
    assert_eq!(
        audit.code,
        Some(0),
        "the audit log's hash chain should verify after the fault\n{}",
        audit.describe()
    );
}

/// Each resource type's live objects in the postgres backend's catalog, as a `FROM` clause
/// in the schema `tenant_catalog`.
const POSTGRES_CATALOG: [(&str, &str); 7] = [
    ("tenant", "tenants WHERE deleted_at IS NULL"),
    ("tenant_database", "databases"),
    ("tenant_user", "users"),
    ("tenant_grant", "grants"),
    ("tenant_storage", "storage"),
    ("tenant_api_key", "api_keys WHERE revoked_at IS NULL"),
    ("tenant_policy", "policies"),
];

/// The live object ids per resource type of the postgres backend's catalog.
fn postgres_catalog_ids(server: &PostgresServer) -> BTreeMap<String, Vec<String>> {
    let has_catalog = server
        .psql(
            &server.superuser_dsn(),
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_catalog'",
        )
        .expect("query the catalog schema");
    let mut ids = BTreeMap::new();
    for (kind, from) in POSTGRES_CATALOG {
        let mut found: Vec<String> = if has_catalog.trim() == "1" {
            server
                .psql(
                    &server.superuser_dsn(),
                    &format!("SELECT id FROM tenant_catalog.{from}"),
                )
                .unwrap_or_else(|error| panic!("read the {kind} catalog: {error}"))
                .lines()
                .map(str::to_string)
                .filter(|line| !line.is_empty())
                .collect()
        } else {
            Vec::new()
        };
        found.sort();
        ids.insert(kind.to_string(), found);
    }
    ids
}

/// How many instances the state marks `"status": "tainted"`.
pub fn tainted_instances(state: &State) -> usize {
    let empty = Vec::new();
    state.document["resources"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .flat_map(|resource| resource["instances"].as_array().unwrap_or(&empty).iter())
        .filter(|instance| instance["status"] == "tainted")
        .count()
}

/// Sends `signal` to process `pid`, panicking when it cannot be sent.
pub fn send_signal(pid: u32, signal: libc::c_int) {
    let target = libc::pid_t::try_from(pid).expect("a process id fits pid_t");
    // SAFETY: kill(2) with a process id this test started and a valid signal number.
    let result = unsafe { libc::kill(target, signal) };
    assert_eq!(result, 0, "kill -{signal} {pid} failed");
}

/// How long a fault row lets a faulty run go on before calling it hung.
pub const FAULT_RUN_TIMEOUT: Duration = Duration::from_secs(180);
