//! No secret escapes the state. A few tenants of `examples/saas-postgres` go through apply,
//! plan, show, a suspension and a resumption, and destroy with `TF_LOG=trace` (the provider
//! logs to stderr as well), on a PostgreSQL server that logs every statement. Every user
//! password and API key secret of the state taken right after the apply is then searched for
//! in everything that was printed or written elsewhere: the commands' stdout and stderr, the
//! JSON plans (without the values they mark sensitive, which Terraform's format carries in
//! clear like the state), `show`, the provider's `audit list --json` and the server log.
//!
//! The suspension is checked on the way: a suspended tenant's user cannot log in, and can
//! again once the tenant is active.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use acceptance_tests::inventory;
use acceptance_tests::pg_project::{PgProject, start_postgres};
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::state_secrets::{leaks, state_secrets, without_sensitive_values};

const TENANTS: usize = 3;
const TRACE: [(&str, &str); 1] = [("TF_LOG", "trace")];
const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];

/// Everything to search, as (what, text).
#[derive(Default)]
struct Transcript {
    parts: Vec<(String, String)>,
}

impl Transcript {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.parts.push((what.into(), text.into()));
    }

    /// Records a command's stdout and stderr, after checking its exit code.
    fn run(&mut self, fleet: &PgProject<'_>, args: &[&str], expected_code: i32) {
        let output = fleet.tenantform_with_env(args, &TRACE);
        output.expect_code(expected_code);
        let command = args.join(" ");
        self.add(format!("stdout of `{command}`"), output.stdout.clone());
        self.add(format!("stderr of `{command}`"), output.stderr);
    }
}

/// Makes the server log every statement, so a plaintext password sent in SQL would show.
fn log_every_statement(server: &PostgresServer) {
    let superuser = server.superuser_dsn();
    for statement in [
        "ALTER SYSTEM SET log_statement = 'all'",
        "ALTER SYSTEM SET log_min_error_statement = 'error'",
        "SELECT pg_reload_conf()",
    ] {
        server
            .psql(&superuser, statement)
            .unwrap_or_else(|error| panic!("{statement}: {error:#}"));
    }
}

fn can_log_in(server: &PostgresServer, login: &str, password: &str) -> bool {
    server
        .psql(&server.login_dsn(login, password), "SELECT 1")
        .is_ok()
}

#[test]
fn secrets_stay_in_the_state() {
    let server = start_postgres(Profile::ManagedAdmin);
    log_every_statement(&server);
    let fleet = PgProject::example(&server, TENANTS);
    let mut transcript = Transcript::default();

    transcript.run(&fleet, &["init", "-input=false", "-no-color"], 0);
    transcript.run(
        &fleet,
        &["plan", "-input=false", "-no-color", "-out", "create.tfplan"],
        0,
    );
    // Before apply the secrets do not exist yet: the JSON plan is searched whole.
    transcript.run(&fleet, &["show", "-json", "create.tfplan"], 0);
    transcript.run(
        &fleet,
        &["apply", "-input=false", "-no-color", "create.tfplan"],
        0,
    );
    let state = fleet.state();
    let secrets = state_secrets(&state);
    let users: usize = fleet.inventory().iter().map(|t| t.users.len()).sum();
    let keys: usize = fleet.inventory().iter().map(|t| t.api_keys.len()).sum();
    assert_eq!(
        secrets.len(),
        users + keys,
        "the state should hold a password per user and a secret per API key"
    );

    transcript.run(
        &fleet,
        &[
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-out",
            "noop.tfplan",
        ],
        0,
    );
    // Terraform's JSON plan carries sensitive values, marked as such: search it without them.
    let shown = fleet.tenantform_with_env(&["show", "-json", "noop.tfplan"], &TRACE);
    shown.expect_success();
    transcript.add("stderr of `show -json noop.tfplan`", shown.stderr.clone());
    let plan: serde_json::Value = serde_json::from_str(&shown.stdout)
        .unwrap_or_else(|error| panic!("show -json is not JSON: {error}\n{}", shown.stdout));
    transcript.add(
        "the JSON plan after apply, sensitive values removed",
        without_sensitive_values(&plan).to_string(),
    );
    transcript.run(&fleet, &["show", "-no-color"], 0);
    transcript.run(&fleet, &["show", "-no-color", "noop.tfplan"], 0);
    transcript.run(&fleet, &["output", "-no-color"], 0);

    assert_suspension_blocks_logins(&fleet, &mut transcript);

    transcript.run(
        &fleet,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
        0,
    );
    let audit = fleet.audit(&["list", "--json"]);
    audit.expect_success();
    assert!(
        audit.stdout.contains("tenant_user") && audit.stdout.contains("tenant_api_key"),
        "audit list --json should show the users and API keys\n{}",
        audit.describe()
    );
    transcript.add("audit list --json", audit.combined());
    transcript.add("the PostgreSQL server log", server.log());
    assert!(
        server.log().contains("CREATE ROLE"),
        "the server log should record the statements (log_statement = all)"
    );

    let traced = transcript
        .parts
        .iter()
        .filter(|(what, text)| what.starts_with("stderr of `apply") && text.contains("TRACE"))
        .count();
    assert!(
        traced > 0,
        "TF_LOG=trace should make the apply log at trace level on stderr"
    );

    let mut found = Vec::new();
    for (what, text) in &transcript.parts {
        found.extend(leaks(&secrets, what, text));
    }
    assert!(
        found.is_empty(),
        "secrets from the state appear outside it:\n{}",
        found.join("\n")
    );
}

/// Suspends the first tenant: its first user cannot log in; resumes it: the user can again.
fn assert_suspension_blocks_logins(fleet: &PgProject<'_>, transcript: &mut Transcript) {
    let tenant = &fleet.inventory()[0];
    let user = &tenant.users[0];
    let (login, password) = fleet.user_credentials(&tenant.slug, &user.email);
    let server = fleet.server;
    assert!(
        can_log_in(server, &login, &password),
        "{login} logs in while active"
    );

    fleet.edit_inventory(|text| inventory::with_status(text, &tenant.slug, "suspended"));
    transcript.run(fleet, &APPLY, 0);
    assert!(
        !can_log_in(server, &login, &password),
        "{login} must not log in while {} is suspended",
        tenant.slug
    );
    transcript.run(
        fleet,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
        0,
    );

    fleet.edit_inventory(|text| inventory::with_status(text, &tenant.slug, "active"));
    transcript.run(fleet, &APPLY, 0);
    assert!(
        can_log_in(server, &login, &password),
        "{login} logs in again once {} is active",
        tenant.slug
    );
}
